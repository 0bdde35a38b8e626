"""Every Excel file the app writes, opened as the reader gets it, on the demo database: A4 page setup
(orientation, one page wide, header rows repeated, page numbers), no page with a lone row, number
formats by kind, Korean headers, 예/아니오, short floats, charts below their tables with axes from 0 and
readable when printed, and the committee workbook's formulas recomputed by an independent evaluator."""

from __future__ import annotations

import io
from datetime import UTC, date, datetime

import numpy as np
import pandas as pd
import pytest

from ccm import db, kpi, ranking, report
from ccm import voc_analytics as va
from ccm.kpi_excel import review_workbook
from ccm.period import period
from ccm.ranking_excel import committee_workbook
from etl import kpi_template
from tests.support import workbook_inspect as xl
from tests.support.constants import NOW_AT as NOW
from ui import components

PAGES = ("overview", "sla", "trends", "kpi", "pcsi", "ranking", "report", "meeting", "upload", "admin")


# --- table downloads ------------------------------------------------------------------------------


def test_table_download_formats_each_kind_of_figure():
    df = pd.DataFrame(
        {
            "facility": ["가 시설", "나 시설"],
            "n": [1234, 5],
            "준수율": [0.899412345678, 1.0],
            "달성률 변화": [-0.0125, 0.2],
            "점수": [90.123456789, 88.0],
            "접수일시": pd.to_datetime(["2026-01-05 14:22:10", None]),
            "월": ["2026-01", "2026-02"],
            "기한준수": pd.array([True, None], dtype="boolean"),
            "ci_low": [88.9, np.nan],
            "알림": [datetime(2026, 3, 1, 9, 30, tzinfo=UTC), None],
        }
    )
    ws = xl.load(components.excel_bytes({"표": df}))["표"]
    head = [c.value for c in ws[1]]
    assert head == [
        "시설",
        "응답자 수",
        "준수율",
        "달성률 변화",
        "점수",
        "접수일시",
        "월",
        "기한준수",
        "95% 신뢰구간 하한",
        "알림",
    ]
    row = {h: ws.cell(2, j) for j, h in enumerate(head, start=1)}
    assert (row["응답자 수"].value, row["응답자 수"].number_format) == (1234, "#,##0")
    assert (row["준수율"].value, row["준수율"].number_format) == (0.899412, "0.0%")
    assert row["달성률 변화"].value == pytest.approx(-1.25) and "%p" in row["달성률 변화"].number_format
    assert (row["점수"].value, row["점수"].number_format) == (90.1235, "0.0")
    assert (row["접수일시"].value, row["접수일시"].number_format) == (
        datetime(2026, 1, 5, 14, 22, 10),
        "yyyy-mm-dd hh:mm",
    )
    assert (row["월"].value, row["월"].number_format) == (datetime(2026, 1, 1), 'yyyy"년" m"월"')
    assert [ws.cell(r, head.index("기한준수") + 1).value for r in (2, 3)] == ["예", None]
    assert row["알림"].value == datetime(2026, 3, 1, 9, 30)
    assert ws.cell(3, head.index("95% 신뢰구간 하한") + 1).value is None
    assert ws.print_title_rows == "$1:$1" and ws.freeze_panes == "A2"
    assert xl.print_problems(ws.parent) == []


def test_every_table_download_of_every_page_prints_right(demo_env, app_test, monkeypatch):
    """Every table a page offers as Excel, as the download button builds it."""
    offered: list[tuple[str, pd.DataFrame]] = []
    original = components.downloads

    def record(df, name, **kwargs):
        offered.append((name, df))
        return original(df, name, **kwargs)

    monkeypatch.setattr(components, "downloads", record)
    for page in PAGES:
        assert not app_test(f"pages/{page}.py").run().exception, page
    assert len(offered) >= 30 and {n for n, _ in offered} >= {
        "KPI 스코어카드",
        "시설별 PCSI",
        "부서 평가 순위",
    }
    problems = {}
    for name, df in offered:
        found = xl.print_problems(xl.load(components.excel_bytes({name: df})))
        if found:
            problems[name] = found[:5]
    assert problems == {}


def test_a_long_table_repeats_its_header_and_leaves_no_lone_row():
    df = pd.DataFrame({"번호": range(1, 48), "제목": ["긴 제목 " * 3] * 47, "건수": range(47)})
    for rows in (47, 44, 45, 46, 90):  # around one page (~44 rows): the last page must not hold one row
        ws = xl.load(
            components.excel_bytes(df.iloc[:rows] if rows <= 47 else pd.concat([df, df]).head(rows))
        )["데이터"]
        assert xl.print_problems(ws.parent) == [], rows
        pages = xl.pages(ws)
        assert all(last - first >= 1 for first, last in pages), pages


# --- the semiannual report ------------------------------------------------------------------------


@pytest.fixture
def semiannual(demo_env):
    with db.session(demo_env.db_path) as con:
        data = report.build_workbook(con, demo_env, 2026, 1, NOW)
        summary = va.compliance_summary(con, period("half", 2026, 1))
    return xl.load(data), summary


def test_semiannual_report_prints_right(semiannual):
    wb, _ = semiannual
    assert wb.sheetnames == list(report.SHEETS)
    assert xl.print_problems(wb) == []
    for ws in wb:
        assert ws._charts and all(xl.chart_box(c)[0] > xl.tables(ws)[0][0] for c in ws._charts), ws.title
        assert ws.oddHeader.left.text.startswith("반기별 VOC 분석 결과보고서")


def test_semiannual_report_formats_by_kind(semiannual):
    wb, summary = semiannual
    ws = wb["요약"]
    rows = {ws.cell(r, 1).value: r for r in range(5, 15)}
    rate, count = ws.cell(rows["처리기한 준수율"], 2), ws.cell(rows["접수 건수"], 2)
    assert (rate.number_format, count.number_format) == ("0.0%", "#,##0")
    assert rate.value == pytest.approx(summary["compliance"], abs=1e-6) and count.value == summary["received"]
    assert "%p" in ws.cell(rows["처리기한 준수율"], 5).number_format
    types = wb["유형별"]
    head = [c.value for c in types[4]]
    assert types.cell(5, head.index("준수율") + 1).number_format == "0.0%"
    assert types.cell(5, head.index("접수") + 1).number_format == "#,##0"
    marks = {c.value for c in wb["경중도×빈도"]["F"][4:] if c.value}
    assert marks <= {"예", "아니오"} and marks


# --- the KPI review and the KPI template ----------------------------------------------------------


def test_kpi_review_prints_on_few_pages_with_changes_in_points(demo_env):
    rules = kpi.rules_from(demo_env)
    with db.session(demo_env.db_path) as con:
        card = kpi.review(con, 2026, 10, rules, None)
        before = kpi.review(con, 2026, 9, rules, None)
        off = kpi.off_track(con, 2026, 10, rules, None)
    goals, card = card[card["is_goal"]], card[~card["is_goal"]]
    changes = kpi.compare(card, before[before["department"] != rules.org_unit])
    scores = kpi.scores(card, rules)
    wb = xl.load(
        review_workbook(
            "KPI 월간 검토 — 2026년 10월",
            goals,
            card,
            off[~off["is_goal"]],
            changes,
            scores,
            kpi.org_from(scores),
            rules.cap,
            rules,
        )
    )
    assert xl.print_problems(wb) == []
    assert sum(len(xl.pages(ws)) for ws in wb) <= 10  # it printed as 26 A4 pages
    card_ws = wb["스코어카드"]
    assert card_ws.page_setup.orientation == "landscape" and card_ws.print_title_rows == "$1:$1"
    folded = [c.value for c in card_ws[1] if xl.hidden(card_ws, c.column)]
    assert {"핵심전략", "전략과제", "방향", "집계"} <= set(folded)
    ws = wb["지난달 대비"]
    head = [c.value for c in ws[1]]
    first = changes.iloc[0]
    cell = ws.cell(2, head.index("달성률 변화") + 1)
    assert cell.value == pytest.approx((first["attainment"] - first["attainment_prev"]) * 100, abs=1e-3)
    assert cell.number_format.startswith('+0.0"%p"')
    assert ws.cell(2, head.index("달성률") + 1).number_format == "0.0%"
    auto = xl.column(card_ws, 1, "자동실적")
    assert "VOC 처리기한 준수율" in auto and not any(str(v).startswith("voc_") for v in auto if v)


def test_kpi_template_prints_right(demo_env):
    with db.session(demo_env.db_path) as con:
        defs = con.execute("SELECT * FROM kpi_definitions WHERE year = 2026").df()
        acts = con.execute("SELECT * FROM kpi_actuals WHERE year = 2026").df()
    wb = xl.load(kpi_template.build(demo_env, 2026, defs, acts))
    assert xl.print_problems(wb) == []
    ws = wb["KPI정의"]
    assert ws.page_setup.orientation == "landscape" and ws.print_title_rows == "$1:$1"
    assert [c.value for c in ws[1] if xl.hidden(ws, c.column)] == [f"{m}월목표" for m in range(1, 13)]
    assert wb["월별실적"]["B2"].number_format == '0"월"' and wb["월별실적"]["B2"].value == 1


# --- the committee workbook -----------------------------------------------------------------------


def _ranks(values, wb) -> dict[str, tuple]:
    ws = wb["순위"]
    head = next(r for r in range(1, ws.max_row + 1) if ws.cell(r, 1).value == "순위")
    out = {}
    for r in range(head + 1, ws.max_row + 1):
        if not ws.cell(r, 4).value:
            break
        out[ws.cell(r, 4).value] = (
            xl.value(values, wb, "순위", f"A{r}"),
            xl.value(values, wb, "순위", f"E{r}"),
        )
    return out


def test_committee_workbook_formulas_give_the_apps_ranking_on_the_demo(demo_env, tmp_path):
    cfg = ranking.config_from_settings(demo_env)
    scope = period("year", 2025)
    with db.session(demo_env.db_path) as con:
        out = ranking.evaluate(con, scope, NOW, cfg, tuple(demo_env.departments))
    result = out["ranking"]
    data = committee_workbook(
        result,
        ranking.rank_changes(result, result),
        cfg,
        out["awards"],
        out["facilities"],
        period=scope.label,
    )
    wb = xl.load(data)
    assert xl.print_problems(wb) == []
    expected = {r.department: (r.rank, round(r.composite, cfg.decimals)) for r in result.itertuples()}
    _same(_ranks(xl.recalc(data, tmp_path), wb), expected)
    # a member gives KPI no weight in Excel: the ranks follow the app's ranking with that weight
    ws = wb["순위"]
    kpi_cell = next(f"B{r}" for r in range(1, 20) if ws.cell(r, 1).value == cfg.component("kpi").label)
    changed = ranking.rank(out["inputs"], cfg.with_weights({"kpi": 0.0}))
    expected = {r.department: (r.rank, round(r.composite, cfg.decimals)) for r in changed.itertuples()}
    assert [d for d, _ in sorted(expected.items(), key=lambda kv: kv[1][0])] != list(result["department"])
    _same(_ranks(xl.recalc(data, tmp_path, {("순위", kpi_cell): 0}), wb), expected)


def _same(got: dict[str, tuple], expected: dict[str, tuple]) -> None:
    assert {d: v[0] for d, v in got.items()} == {d: v[0] for d, v in expected.items()}
    assert {d: v[1] for d, v in got.items()} == pytest.approx(
        {d: v[1] for d, v in expected.items()}, abs=1e-9
    )


def test_committee_workbook_for_one_department_keeps_the_apps_rank(demo_env):
    cfg = ranking.config_from_settings(demo_env)
    with db.session(demo_env.db_path) as con:
        out = ranking.evaluate(con, period("year", 2025), NOW, cfg, tuple(demo_env.departments))
    result = out["ranking"]
    own = result[result["department"] == result["department"].iloc[2]]
    wb = xl.load(
        committee_workbook(
            own,
            ranking.rank_changes(result, result),
            cfg,
            out["awards"].iloc[:0],
            out["facilities"].iloc[:0],
            complete=False,
        )
    )
    ws = wb["순위"]
    row = next(r for r in range(1, ws.max_row + 1) if ws.cell(r, 4).value == own["department"].iloc[0])
    assert ws.cell(row, 1).value == 3 and ws.cell(row, 5).data_type == "f"
    assert xl.print_problems(wb) == []


def test_dates_in_the_semiannual_recurrence_sheet_are_dates(semiannual):
    wb, _ = semiannual
    ws = wb["재발"]
    values = [v for v in xl.column(ws, 4, "최근 재발") if v is not None]
    assert values and all(isinstance(v, datetime) and v.time() == datetime.min.time() for v in values)
    assert ws.cell(5, [c.value for c in ws[4]].index("최근 재발") + 1).number_format == "yyyy-mm-dd"
    assert date(2026, 1, 1) <= values[0].date() < date(2026, 7, 1)


def test_the_print_check_sees_what_it_is_for():
    """The checks above would catch a lone row, a missing page number, TRUE/None cells, a raw float,
    an English header and a chart beside its table."""
    from openpyxl.chart import BarChart, Reference
    from openpyxl.worksheet.pagebreak import Break

    wb = xl.load(components.excel_bytes(pd.DataFrame({"건수": range(60)})))
    ws = wb["데이터"]
    ws.row_breaks.brk = []
    ws.row_breaks.append(Break(id=60))  # the last of 60 rows alone on page 2
    ws.oddFooter.center.text = ""
    ws["B1"], ws["B2"], ws["B3"], ws["B4"] = "count", True, "None", 0.8977893627130534
    chart = BarChart()
    chart.add_data(Reference(ws, min_col=1, min_row=1, max_row=10), titles_from_data=True)
    ws.add_chart(chart, "D2")
    buf = io.BytesIO()
    wb.save(buf)
    found = " | ".join(xl.print_problems(xl.load(buf.getvalue())))
    for words in (
        "leaves 1 row(s) alone",
        "no page numbers",
        "B2 holds True",
        "B3 reads 'None'",
        "more than 6 decimals",
        "'count' is not Korean",
        "not below its table",
    ):
        assert words in found, words


def test_repeated_or_translated_column_names_stay_distinct():
    ws = xl.load(components.excel_bytes(pd.DataFrame([[1, 2, 3]], columns=["부서", "department", "부서"])))[
        "데이터"
    ]
    assert [c.value for c in ws[1]] == ["부서", "부서 (2)", "부서 (3)"]
