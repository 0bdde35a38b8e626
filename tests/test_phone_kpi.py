"""Automatic KPI actuals from the CCM loop (phone courtesy, training, improvement actions) with hand-computed
figures and a manual override winning; Korean source labels in the KPI template; phone courtesy as an
optional ranking component (weight 0 → the ranking of today)."""

from __future__ import annotations

import io
from datetime import date, datetime

import pandas as pd
import pytest

from ccm import db, kpi, kpi_sources, ranking
from ccm.period import Scope
from etl import kpi as kpi_etl
from etl import kpi_template
from etl import phone as phone_etl
from tests.support.kpi_workbooks import kpi_row, write_workbook

PHONE_HEAD = ["통화일", "부서", "평가자", "평가자 구분", "인사", "응대", "정확성", "종결", "합계", "비고"]
# 문화사업팀: January 100 and 80 (mean 90), February 60; 관광사업팀: January 70
PHONE_ROWS = [
    ["2026-01-05", "문화사업팀", "E01", "내부", 25, 25, 25, 25, None, ""],
    ["2026-01-20", "문화사업팀", "E02", "내부", 20, 20, 20, 20, None, ""],
    ["2026-02-03", "문화사업팀", "E01", "외부기관", 20, 20, 10, 10, None, ""],
    ["2026-01-15", "관광사업팀", "E02", "내부", 25, 20, 15, 10, None, ""],
]


def _phone(con, env, tmp_path):
    path = tmp_path / "phone.xlsx"
    pd.DataFrame(PHONE_ROWS, columns=PHONE_HEAD).to_excel(path, index=False)
    assert phone_etl.load(con, path, env).status == "loaded"


def _training(con):
    """문화사업팀: B 청렴교육 (not CCM) in January, A a CCM course in February (4 h), C a CCM seminar in April (3 h).
    Every role needs one CCM course a year (settings [training.rules])."""
    rows = [
        ("B", "청렴교육", date(2026, 1, 12), 2.0),
        ("A", "CCM 리더 교육", date(2026, 2, 9), 4.0),
        ("C", "CCM 세미나", date(2026, 4, 20), 3.0),
    ]
    for i, (emp, course, start, hours) in enumerate(rows, start=1):
        con.execute(
            "INSERT INTO training_records (batch_id, source_row, emp_no, department, course, start_date, end_date, "
            "hours) VALUES (0, ?, ?, '문화사업팀', ?, ?, ?, ?)",
            [i, emp, course, start, start, hours],
        )


def _actions(con):
    """문화사업팀: due 2/10 done 2/5 (on time), due 3/15 done 3/20 (late), due 5/1 not done."""
    now = datetime(2026, 1, 2, 9)
    for title, due, done in (
        ("안내판 정비", date(2026, 2, 10), date(2026, 2, 5)),
        ("대기 동선 개선", date(2026, 3, 15), date(2026, 3, 20)),
        ("예약 화면 개선", date(2026, 5, 1), None),
    ):
        con.execute(
            "INSERT INTO improvement_actions (title, department, status, due_date, completed_on, created_at, "
            "updated_at) VALUES (?, '문화사업팀', ?, ?, ?, ?, ?)",
            [title, "완료" if done else "시행", due, done, now, now],
        )


INDICATORS = {
    "phone": "전화응대 친절도 평가",
    "training_completion": "친절서비스 교육 이수율",
    "training_hours": "CCM 교육시간",
    "actions_on_time": "서비스 품질개선 실적",
}


def _defs(tmp_path, env, actuals=()):
    defs = [
        kpi_row(
            "문화사업팀",
            INDICATORS["phone"],
            unit="점",
            aggregation="평균",
            target=80,
            source="전화친절도 점수",
        ),
        kpi_row(
            "문화사업팀",
            INDICATORS["training_completion"],
            unit="%",
            aggregation="최근값",
            target=80,
            source="교육 이수율",
        ),
        kpi_row("문화사업팀", INDICATORS["training_hours"], unit="시간", target=12, source="CCM 교육시간"),
        kpi_row(
            "문화사업팀",
            INDICATORS["actions_on_time"],
            unit="%",
            aggregation="최근값",
            target=90,
            source="actions_on_time",
        ),
    ]
    result = kpi_etl.load(write_workbook(tmp_path / "kpi.xlsx", defs, list(actuals)), env.db_path, env)
    assert result.ok, result.rejects


@pytest.fixture
def store(env, tmp_path):
    _defs(tmp_path, env, [[2026, 2, "문화사업팀", INDICATORS["phone"], 90, "재평가 반영"]])
    with db.session(env.db_path) as con:
        _phone(con, env, tmp_path)
        _training(con)
        _actions(con)
    return env


def test_korean_labels_are_stored_as_source_codes(store):
    with db.session(store.db_path) as con:
        sources = dict(con.execute("SELECT indicator, source FROM kpi_definitions").fetchall())
    assert sources == {v: k for k, v in INDICATORS.items()}


def test_phone_score_monthly_and_a_manual_override_wins(store):
    with db.session(store.db_path) as con:
        m = kpi.monthly(con, 2026, 6).set_index(["indicator", "month"]).loc[INDICATORS["phone"]]
        card = kpi.review(con, 2026, 6).set_index("indicator").loc[INDICATORS["phone"]]
    assert (m.loc[1, "actual"], m.loc[1, "origin"]) == (90.0, "자동")
    assert (m.loc[2, "actual"], m.loc[2, "auto_value"], m.loc[2, "origin"]) == (90.0, 60.0, "수기(자동 대체)")
    assert m.loc[3, "origin"] == "자동 실적 없음"
    assert card["actual"] == pytest.approx(90.0) and card["attainment"] == pytest.approx(
        1.125
    )  # (90 + 90) / 2 ÷ 80
    assert card["overridden"]


def test_phone_score_without_the_override(env, tmp_path):
    _defs(tmp_path, env)
    with db.session(env.db_path) as con:
        _phone(con, env, tmp_path)
        card = kpi.review(con, 2026, 6).set_index("indicator").loc[INDICATORS["phone"]]
    assert card["actual"] == pytest.approx(75.0)  # January 90, February 60; months without calls left out
    assert card["attainment"] == pytest.approx(0.938) and card["status"] == "주의"  # 75 ÷ 80 = 93.75% → 93.8%


def test_training_completion_year_to_date(store):
    with db.session(store.db_path) as con:
        values = kpi_sources.values(con, "training_completion", 2026, 6, "문화사업팀")
        card = kpi.review(con, 2026, 6).set_index("indicator").loc[INDICATORS["training_completion"]]
    # Jan: B only, not met → 0/1; Feb–Mar: A met, B not → 1/2; Apr: A and C met, B not → 2/3; no records after April
    assert values == {1: 0.0, 2: 50.0, 3: 50.0, 4: pytest.approx(200 / 3)}
    assert card["actual"] == pytest.approx(200 / 3) and card["last_month"] == 4


def test_training_hours_cumulative_equals_the_years_ccm_hours(store):
    from ccm import training

    with db.session(store.db_path) as con:
        values = kpi_sources.values(con, "training_hours", 2026, 6, "문화사업팀")
        card = kpi.review(con, 2026, 6).set_index("indicator").loc[INDICATORS["training_hours"]]
        year = training.training_hours(con, 2026, "문화사업팀")
    assert values == {1: 0.0, 2: 4.0, 3: 0.0, 4: 3.0}  # 청렴교육 is not CCM training
    assert card["actual"] == year == 7.0


def test_actions_completed_on_time(store):
    with db.session(store.db_path) as con:
        values = kpi_sources.values(con, "actions_on_time", 2026, 6, "문화사업팀")
        card = kpi.review(con, 2026, 6).set_index("indicator").loc[INDICATORS["actions_on_time"]]
        detail = kpi.auto_detail(con, "actions_on_time", 2026, 3, "문화사업팀", with_items=False)
    assert values == {2: 100.0, 3: 50.0, 4: 50.0, 5: pytest.approx(100 / 3), 6: pytest.approx(100 / 3)}
    assert card["actual"] == pytest.approx(100 / 3)
    assert detail.to_dict("records") == [
        {"기준일": date(2026, 4, 1), "기한 도래 과제": 2, "기한 내 완료": 1, "완료율(%)": 50.0}
    ]


def test_template_lists_and_prefills_sources_in_korean(store):
    from openpyxl import load_workbook

    with db.session(store.db_path) as con:
        defs = kpi.definitions(con, 2026)
    wb = load_workbook(io.BytesIO(kpi_template.build(store, 2026, defs)))
    lists = wb["목록"]
    col = next(c for c in lists[1] if c.value == "자동실적").column
    listed = [r[0].value for r in lists.iter_rows(min_row=2, min_col=col, max_col=col) if r[0].value]
    assert {
        "고객만족도(PCSI)",
        "VOC 처리기한 준수율",
        "VOC 건수(칭찬)",
        "전화친절도 점수",
        "교육 이수율",
        "CCM 교육시간",
        "개선과제 기한 내 완료율",
    } <= set(listed)
    assert not any(v.startswith(("pcsi", "voc_", "phone", "training", "actions")) for v in listed)
    ws = wb["KPI정의"]
    shown = {row[5].value: row[-1].value for row in ws.iter_rows(min_row=2) if row[5].value}
    assert shown[INDICATORS["actions_on_time"]] == "개선과제 기한 내 완료율"
    assert kpi.source_label("training_hours") == "CCM 교육시간"


def test_unknown_source_rejected_in_korean(env, tmp_path):
    defs = [
        kpi_row(
            "문화사업팀", "전화응대 친절도 평가", unit="점", aggregation="평균", target=80, source="친절점수"
        )
    ]
    result = kpi_etl.load(write_workbook(tmp_path / "k.xlsx", defs, []), env.db_path, env)
    assert not result.ok
    reason = result.rejects.iloc[0]["사유"]
    assert "알 수 없는 자동실적 원천" in reason and "전화친절도 점수" in reason and "pcsi" not in reason


# ---------------------------------------------------------------------------------------------
# ranking


def test_ranking_phone_weight_zero_is_todays_ranking_and_a_weight_counts(store):
    cfg = ranking.config_from_settings(store)
    assert cfg.component("phone").weight == 0
    scope = Scope(date(2026, 1, 1), date(2026, 7, 1))
    with db.session(store.db_path) as con:
        raw = ranking.inputs(con, scope, datetime(2026, 7, 1), cfg, tuple(store.departments))
    phone = raw.set_index("department")
    assert phone.loc["문화사업팀", "phone"] == pytest.approx(80.0) and phone.loc["문화사업팀", "phone_n"] == 3
    assert phone.loc["관광사업팀", "phone"] == pytest.approx(70.0) and phone.loc["관광사업팀", "phone_n"] == 1
    without = ranking.config_from_settings(store)
    without = ranking.RankingConfig(
        tuple(c for c in without.components if c.key != "phone"), without.tie_break, without.decimals
    )
    today = ranking.rank(raw, without)
    zero = ranking.rank(raw, cfg)
    cols = ["rank", "department", "composite"]
    pd.testing.assert_frame_equal(zero[cols], today[cols])
    # the phone score counted: only departments with at least min_count (5) calls are scored on it
    raw.loc[raw["department"] == "문화사업팀", "phone_n"] = 5
    weighted = ranking.rank(
        raw,
        cfg.with_weights(
            {"phone": 1.0, "kpi": 0, "compliance": 0, "pcsi": 0, "praise": 0, "complaint_trend": 0}
        ),
    )
    row = weighted.set_index("department").loc["문화사업팀"]
    assert row["composite"] == pytest.approx(50.0)  # (80 − 60) ÷ (100 − 60) × 100
    assert weighted.iloc[0]["department"] == "문화사업팀"


def test_kpi_page_shows_the_phone_source_in_korean_with_its_figures(env, tmp_path, app_test):
    _defs(tmp_path, env)
    with db.session(env.db_path) as con:
        _phone(con, env, tmp_path)
    at = app_test("pages/kpi.py").run()
    assert not at.exception
    pick = at.selectbox(key="kpi_auto_pick")
    key = ("문화사업팀", INDICATORS["phone"])
    assert pick.format_func(key) == "문화사업팀 · 전화응대 친절도 평가 (전화친절도 점수)"
    pick.set_value(key).run()
    at.selectbox(key="kpi_auto_month").set_value(1).run()
    assert not at.exception
    assert any(
        c.value.startswith("원천: 전화친절도 점수 — 전화친절도 점수 = 그 달에 모니터링한") for c in at.caption
    )
    detail = next(d.value for d in at.dataframe if "모니터링건수" in d.value.columns)
    assert detail.to_dict("records") == [{"부서": "문화사업팀", "모니터링건수": 2, "평균점수": 90.0}]
    shown = " ".join(str(v) for d in at.dataframe for v in d.value.astype(str).to_numpy().ravel())
    assert "phone" not in shown and "training_" not in shown and "actions_on_time" not in shown
