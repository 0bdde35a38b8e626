"""Meeting view (회의 화면): each headline card judged against its target with the [kpi.status] bands,
the compliance target read from the KPI workbook, and a page with nothing to click."""

from __future__ import annotations

import json
import re

import pytest

from ccm import db, meeting, palette
from ccm.kpi import rules_from
from etl import kpi as kpi_etl
from tests.support.constants import NOW_AT as NOW
from tests.support.kpi_workbooks import kpi_row, write_workbook

BANDS = rules_from({"kpi": {"status": {"achieved": 1.0, "warning": 0.9}}})


@pytest.mark.parametrize(
    "value,target,expected",
    [
        (91.0, 90.0, "달성"),
        (90.0, 90.0, "달성"),
        (85.0, 90.0, "주의"),
        (81.0, 90.0, "주의"),
        (80.0, 90.0, "미달"),
        (None, 90.0, "실적 없음"),
        (85.0, None, "목표 없음"),
        (85.0, 0.0, "목표 없음"),
    ],
)
def test_a_higher_is_better_card_is_judged_by_value_over_target(value, target, expected):
    # 85/90 = 0.944 ≥ 0.9 → 주의; 81/90 = 0.9 → 주의; 80/90 = 0.889 → 미달
    assert meeting.status("higher", value, target, BANDS) == expected


def test_overdue_items_meet_their_zero_target_only_at_zero():
    assert meeting.status("zero", 0, 0.0, BANDS) == "달성"
    assert meeting.status("zero", 1, 0.0, BANDS) == "미달"


def test_the_bands_are_the_settings_ones():
    strict = rules_from({"kpi": {"status": {"achieved": 1.0, "warning": 0.95}}})
    assert meeting.status("higher", 85.0, 90.0, strict) == "미달"  # 0.944 < 0.95


def _load_kpis(tmp_path, env, rows):
    assert kpi_etl.load(write_workbook(tmp_path / "kpi.xlsx", rows, []), env.db_path, env).ok


def test_compliance_target_is_the_organisation_units_kpi_target(tmp_path, env):
    _load_kpis(
        tmp_path,
        env,
        [
            kpi_row(
                "전사",
                "VOC 처리기한 준수율",
                unit="%",
                aggregation="평균",
                target=97,
                source="voc_compliance",
            ),
            kpi_row(
                "관광사업팀",
                "VOC 처리기한 준수율",
                unit="%",
                aggregation="평균",
                target=95,
                source="voc_compliance",
            ),
        ],
    )
    with db.session(env.db_path) as con:
        assert meeting.compliance_target(con, 2026, "전사") == pytest.approx(0.97)


def test_compliance_target_without_an_organisation_row_is_the_departments_common_one(tmp_path, env):
    rows = [
        kpi_row(d, "VOC 처리기한 준수율", unit="%", aggregation="평균", target=t, source="voc_compliance")
        for d, t in [("관광사업팀", 95), ("문화사업팀", 95), ("단산시설팀", 90)]
    ]
    _load_kpis(tmp_path, env, rows + [kpi_row("관광사업팀", "보도자료 배포", target=12)])
    with db.session(env.db_path) as con:
        assert meeting.compliance_target(con, 2026, "전사") == pytest.approx(0.95)
        assert meeting.compliance_target(con, 2025, "전사") is None  # no earlier year defines one


def test_no_kpi_workbook_means_no_compliance_target(env):
    with db.session(env.db_path) as con:
        assert meeting.compliance_target(con, 2026, "전사") is None


# --- the page ----------------------------------------------------------------------------------


def _cards(at) -> dict[str, tuple[str, str]]:
    """card key → (status, background) as rendered."""
    body = next(h.value for h in at.html if "mt-cards" in h.value)
    return {
        k: (s, bg)
        for k, s, bg in re.findall(
            r'mt-card mt-card-(\w+)" data-status="([^"]+)" style="background:(#[0-9A-Fa-f]{6})', body
        )
    }


def _demo_expectations(settings) -> dict[str, str]:
    """Each card's status from the demo's rows, computed here from the stored items and the bands."""
    with db.session(settings.db_path) as con:
        met, decided = con.execute(
            "SELECT count(*) FILTER (sla_met), count(sla_met) FROM voc "
            "WHERE received_at >= '2026-01-01' AND received_at < '2026-11-26'"
        ).fetchone()
        f = meeting.figures(con, NOW, settings)
    rules = rules_from(settings)
    band = lambda r: "달성" if r >= rules.achieved else "주의" if r >= rules.warning else "미달"  # noqa: E731
    return {
        "pcsi": band(f["pcsi"]["score"] / 90.0),
        "kpi": band(f["kpi"]["score"]),
        "compliance": band(met / decided / 0.95),  # the demo's KPI workbook: 준수율 target 95%
        "overdue": "달성" if f["open"]["overdue"] == 0 else "미달",
    }


def test_each_card_on_the_demo_has_its_status_colour(demo_env, app_test):
    at = app_test("pages/meeting.py").run()
    assert not at.exception
    expected = _demo_expectations(demo_env)
    got = _cards(at)
    assert {k: s for k, (s, _) in got.items()} == expected
    assert all(bg == palette.STATUS[s] for s, bg in got.values())
    assert expected["pcsi"] == "달성" and expected["overdue"] == "미달"  # the demo shows more than one colour


def test_the_cards_show_value_target_and_gap_in_their_units(demo_env, app_test):
    at = app_test("pages/meeting.py").run()
    assert not at.exception
    with db.session(demo_env.db_path) as con:
        f = meeting.figures(con, NOW, demo_env)
    body = re.sub(r"<[^>]+>", " ", next(h.value for h in at.html if "mt-cards" in h.value))
    p, c, o = f["pcsi"]["score"], f["compliance"]["compliance"], f["open"]
    assert (
        "고객만족도(PCSI) 2026년" in body
        and f"{p:.1f} 점" in body
        and f"목표 90점 대비 {p - 90:+.1f}점" in body
    )
    assert f"{c * 100:.1f} %" in body and f"목표 95% 대비 {(c - 0.95) * 100:+.1f}%p" in body
    assert f"{o['overdue']:,} 건" in body and f"임박 {o['at_risk']:,}건 · 미처리 {o['open']:,}건" in body
    assert "None" not in body and "nan" not in body


def test_a_higher_target_turns_the_pcsi_card_from_green_to_amber(demo_env, app_test):
    path = demo_env.path
    path.write_text(
        path.read_text(encoding="utf-8").replace("target = 90.0", "target = 97.0", 1), encoding="utf-8"
    )
    at = app_test("pages/meeting.py").run()
    assert not at.exception
    status, bg = _cards(at)["pcsi"]
    assert status == "주의" and bg == palette.STATUS["주의"]  # 91.0 / 97 = 0.94
    body = next(h.value for h in at.html if "mt-cards" in h.value)
    assert "목표 97점 대비 -6.0점" in body


def test_the_meeting_view_has_nothing_to_click(demo_env, app_test):
    at = app_test("pages/meeting.py").run()
    assert not at.exception
    assert not at.tabs and not at.main.button and not at.get("download_button") and not at.get("page_link")
    assert not at.sidebar.selectbox and not at.sidebar.multiselect
    charts = at.get("plotly_chart")
    assert len(charts) == 2
    assert all(json.loads(c.proto.config)["displayModeBar"] is False for c in charts)
