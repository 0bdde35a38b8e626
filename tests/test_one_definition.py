"""One name, one definition, one format: a figure of one kind reads the same on every page (on the
demo), and every number kind has one written format shared by pages and Excel."""

from __future__ import annotations

from datetime import date, datetime

import pytest

from ccm import formats, palette
from ccm import kpi as kpi_engine


def test_one_format_per_kind():
    assert formats.score(91.04) == "91.0점" and formats.score(90) == "90.0점"
    assert formats.pct(0.87587) == "87.6%" and formats.pct(1) == "100.0%"
    assert (
        formats.pp(0.0123) == "+1.2%p" and formats.pp(-0.0744) == "-7.4%p" and formats.pp(0.0004) == "0.0%p"
    )
    assert (
        formats.count(1234) == "1,234건"
        and formats.count_change(-3) == "-3건"
        and formats.count_change(12) == "+12건"
    )
    assert formats.month(date(2026, 1, 5)) == "2026년 1월" and formats.month((2026, 11)) == "2026년 11월"
    assert formats.day(datetime(2026, 1, 5, 14, 22, 31)) == "2026-01-05"
    assert formats.minute(datetime(2026, 1, 5, 14, 22, 31)) == "2026-01-05 14:22"
    assert (formats.yes_no(True), formats.yes_no(False), formats.yes_no(None)) == ("예", "아니오", "")


def test_missing_values_read_as_a_dash_never_none_or_nan():
    for fn in (
        formats.score,
        formats.pct,
        formats.pp,
        formats.count,
        formats.month,
        formats.day,
        formats.minute,
    ):
        assert fn(None) == "—"
    assert formats.pct(float("nan")) == "—" and formats.score(float("nan")) == "—"


def test_excel_uses_the_same_formats_as_the_pages():
    from ccm.xlsx_style import FORMATS

    for kind, fmt in formats.EXCEL.items():
        assert FORMATS[kind] == fmt, kind


def test_one_colour_per_status_and_deadline_state():
    assert palette.OVERDUE == palette.STATUS["미달"] and palette.MET == palette.STATUS["달성"]
    assert palette.QUADRANT["중점개선(우선 개선)"] == palette.OVERDUE
    assert set(palette.STATUS_NAMED) == set(palette.STATUS)
    assert not set(palette.VOC_TYPE.values()) & set(palette.STATUS.values())


def test_kpi_compliance_is_pooled_from_items_not_a_mean_of_monthly_rates():
    """January 9 of 10 met, February 1 of 10: pooled 10 ÷ 20 = 50% (the mean of 90% and 10% would be too,
    so March adds 80 of 80: pooled 90 ÷ 100 = 90%, mean of months 66.7%)."""
    rules = kpi_engine.Rules()
    values = {1: 90.0, 2: 10.0, 3: 100.0}
    pooled = {1: (9, 10), 2: (1, 10), 3: (80, 80)}
    r = kpi_engine.evaluate("higher", "average", 95, None, values, 3, rules, automatic=True, pooled=pooled)
    assert r["actual"] == pytest.approx(90.0) and r["attainment"] == pytest.approx(0.947)
    plain = kpi_engine.evaluate("higher", "average", 95, None, values, 3, rules, automatic=True)
    assert plain["actual"] == pytest.approx(200 / 3)


def _run(app_test, page: str, **state):
    at = app_test(page)
    for key, value in state.items():
        at.session_state[key] = value
    at.run()
    assert not at.exception, page
    return at


def _frame(at, *columns):
    return next(d.value for d in at.dataframe if set(columns) <= set(d.value.columns))


@pytest.mark.slow
def test_a_departments_compliance_reads_the_same_on_the_kpi_sla_and_ranking_pages(demo_env, app_test):
    """관광사업팀, 2025: the KPI page's December review (Jan–Dec), the SLA page and the ranking for the year
    all show the pooled rate, items met ÷ items decided, counted here by hand from the store."""
    from ccm import db

    with db.session(demo_env.db_path) as con:
        met, decided = con.execute(
            "SELECT count(*) FILTER (sla_met), count(sla_met) FROM voc WHERE department = '관광사업팀' "
            "AND received_at >= DATE '2025-01-01' AND received_at < DATE '2026-01-01'"
        ).fetchone()
    expected = formats.pct(met / decided)
    year = {"flt_kind": "year", "flt_year": 2025}
    kpi_page = _run(app_test, "pages/kpi.py", kpi_month=(2025, 12))
    card = _frame(kpi_page, "누계 실적", "자동실적").set_index(["부서", "지표"])
    on_kpi = card.loc[("관광사업팀", "VOC 처리기한 준수율"), "누계 실적"]
    sla = _run(app_test, "pages/sla.py", **year, flt_depts=["관광사업팀"])
    on_sla = next(m.value for m in sla.metric if m.label == "처리기한 준수율")
    ranking = _run(app_test, "pages/ranking.py", **year)
    evidence = _frame(ranking, "구성요소", "원값").set_index(["부서", "구성요소"])
    on_ranking = evidence.loc[("관광사업팀", "VOC 처리기한 준수율"), "원값"]
    assert on_sla == expected
    assert formats.pct(on_kpi / 100) == expected and formats.pct(on_ranking / 100) == expected
    assert on_kpi == pytest.approx(100 * met / decided, abs=0.005) and on_ranking == pytest.approx(
        on_kpi, abs=0.005
    )


@pytest.mark.slow
def test_the_pcsi_index_has_one_decimal_on_every_page(demo_env, app_test):
    from ccm import db, pcsi

    with db.session(demo_env.db_path) as con:
        expected = formats.score(pcsi.overall_index(con, 2026))
    overview = _run(app_test, "pages/overview.py")
    shown = {"개요": next(m.value for m in overview.metric if m.label.startswith("고객만족도(PCSI)"))}
    page = _run(app_test, "pages/pcsi.py")
    shown["고객만족도"] = next(m.value for m in page.metric if m.label == "2026년 종합지수")
    kpi_page = _run(app_test, "pages/kpi.py")
    shown["KPI 경영목표"] = next(m.value for m in kpi_page.metric if m.label == "고객만족도").replace(
        "\\", ""
    )
    assert shown == {k: expected for k in shown}, shown
