"""AppTest runs of the SLA and trends pages: fixture DB, demo DB, empty DB, filters selecting nothing, roles."""

from __future__ import annotations

import pytest

from tests.support import voc_database

SLA = "pages/sla.py"
TRENDS = "pages/trends.py"


def texts(at) -> str:
    """Everything the page wrote as text (markdown, captions, info/warning boxes, metrics, tables)."""
    parts = [
        e.value
        for kind in ("markdown", "caption", "info", "warning", "success", "subheader", "title")
        for e in getattr(at, kind)
    ]
    parts += [f"{m.label} {m.value}" for m in at.metric]
    parts += [df.value.to_string() for df in at.dataframe]
    return "\n".join(str(p) for p in parts)


def run_month(at, year: int, month: int, depts: list[str] | None = None):
    at.session_state["flt_kind"] = "month"
    at.session_state["flt_year"] = year
    at.session_state["flt_index"] = month
    at.session_state["flt_depts"] = depts or []
    return at.run()


@pytest.fixture
def fixture_db(env):
    return voc_database.build(env.db_path, env)


@pytest.mark.parametrize("page", [SLA, TRENDS])
def test_empty_database_shows_empty_state(app_test, env, page):
    at = app_test(page).run()
    assert not at.exception
    assert "아직 VOC 데이터가 없습니다" in texts(at)


@pytest.mark.parametrize("page", [SLA, TRENDS])
def test_period_without_data_shows_empty_state(app_test, fixture_db, page):
    at = run_month(app_test(page), 2023, 3)
    assert not at.exception
    assert "선택한 기간·부서에 접수된 VOC가 없습니다" in texts(at)


@pytest.mark.parametrize("page", [SLA, TRENDS])
def test_department_without_items_shows_empty_state(app_test, fixture_db, page):
    at = run_month(app_test(page), 2025, 10, ["농특산물홍보팀"])
    assert not at.exception
    assert "선택한 기간·부서에 접수된 VOC가 없습니다" in texts(at)


def test_sla_page_figures_on_fixture(app_test, fixture_db):
    at = run_month(app_test(SLA), 2025, 10)
    assert not at.exception
    metrics = {m.label: m.value for m in at.metric}
    assert metrics["처리기한 준수율"] == "60.0%"
    assert metrics["판정 건수"] == "5건"
    assert metrics["기한 초과"] == "1건" and metrics["기한 임박"] == "1건" and metrics["미처리 전체"] == "4건"
    urgent = at.dataframe[0].value
    assert urgent["접수번호"].tolist() == ["O1", "O2"]
    assert urgent["제목"].tolist() == ["안전 요원 부족", "주차 요금 문의"]


def test_sla_page_hides_titles_from_viewer_role(app_test, fixture_db):
    at = run_month(app_test(SLA, role="열람"), 2025, 10)
    assert not at.exception
    assert "제목" not in at.dataframe[0].value.columns
    assert "안전 요원 부족" not in texts(at)


def test_sla_page_department_user_sees_own_department(app_test, fixture_db):
    at = run_month(app_test(SLA, role="부서", department="관광사업팀"), 2025, 10)
    assert not at.exception
    metrics = {m.label: m.value for m in at.metric}
    assert metrics["미처리 전체"] == "2건" and metrics["판정 건수"] == "2건"


def test_sla_page_explains_an_item(app_test, fixture_db):
    at = run_month(app_test(SLA), 2025, 10)
    at.text_input(key="sla_explain_id").input("A3").run()
    assert not at.exception
    body = texts(at)
    assert "추석" in body and "2025-10-10" in body
    stored = next(df.value for df in at.dataframe if "사용 근무시간(분)" in df.value.columns)
    assert stored.iloc[0][["접수번호", "사용 근무시간(분)"]].tolist() == ["A3", 60]


def test_sla_page_unknown_item(app_test, fixture_db):
    at = run_month(app_test(SLA), 2025, 10)
    at.text_input(key="sla_explain_id").input("NOPE").run()
    assert not at.exception
    assert "찾을 수 없습니다" in texts(at)


def test_trends_page_on_fixture(app_test, fixture_db):
    at = run_month(app_test(TRENDS), 2025, 11)
    assert not at.exception
    body = texts(at)
    assert "급증 판정" in body and "재발 = 같은 시설·같은 주제" in body
    recur = next(df.value for df in at.dataframe if "재발 건수" in df.value.columns)
    assert recur[["시설", "주제", "재발 건수"]].values.tolist() == [["철로자전거", "요금·환불", 1]]


def test_trends_page_topic_pick_lists_items(app_test, fixture_db):
    at = run_month(app_test(TRENDS), 2025, 11)
    at.selectbox(key="tr_topic_pick").select("요금·환불").run()
    assert not at.exception
    items = next(df.value for df in at.dataframe if "접수번호" in df.value.columns)
    assert items["접수번호"].tolist() == ["B4", "B2"]
    assert items["제목"].tolist() == ["환불 재요청", "요금 고충"]


def test_trends_page_viewer_gets_no_texts(app_test, fixture_db):
    at = run_month(app_test(TRENDS, role="열람"), 2025, 11)
    at.selectbox(key="tr_topic_pick").select("요금·환불").run()
    assert not at.exception
    items = next(df.value for df in at.dataframe if "접수번호" in df.value.columns)
    assert "제목" not in items.columns and "내용" not in items.columns
    assert "환불 재요청" not in texts(at)


@pytest.mark.slow
def test_sla_page_on_demo(app_test, demo_env):
    at = app_test(SLA).run()
    assert not at.exception
    metrics = {m.label: m.value for m in at.metric}
    assert metrics["처리기한 준수율"].endswith("%")
    assert int(metrics["판정 건수"].rstrip("건").replace(",", "")) > 0
    assert len(at.dataframe) >= 4  # by type, processing time, distribution, monthly


@pytest.mark.slow
def test_trends_page_on_demo(app_test, demo_env):
    at = app_test(TRENDS).run()
    assert not at.exception
    top = next(df.value for df in at.dataframe if "키워드" in df.value.columns)
    assert len(top) > 5
    topics = next(df.value for df in at.dataframe if list(df.value.columns[:2]) == ["주제", "건수"])
    assert topics["건수"].sum() > 0


@pytest.mark.slow
def test_trends_page_on_demo_year(app_test, demo_env):
    at = app_test(TRENDS)
    at.session_state["flt_kind"] = "year"
    at.session_state["flt_year"] = 2025
    at.run()
    assert not at.exception
    prevention = next(df.value for df in at.dataframe if "경중도" in df.value.columns)
    assert prevention["개선 후보"].any()


def test_overview_badge_counts_overdue_and_at_risk(app_test, fixture_db):
    at = run_month(app_test("pages/overview.py"), 2025, 10)
    assert not at.exception
    badge = next(m for m in at.metric if m.label == "기한 초과 미처리")
    assert badge.value == "1건"
    assert any("임박 1건" in c.value and "미처리 전체 4건" in c.value for c in at.caption)


def test_trends_page_warns_when_topic_dictionary_changed(app_test, fixture_db, env):
    import re

    text = re.sub(
        r'(?ms)^"주차" = \[.*?\]',
        '"주차" = ["주차", "주차장"]',
        env.path.read_text(encoding="utf-8"),
        count=1,
    )
    env.path.write_text(text, encoding="utf-8")
    at = run_month(app_test(TRENDS), 2025, 11)
    assert not at.exception
    assert any("주제 사전이 바뀌었습니다" in w.value for w in at.warning)


def test_trends_page_shows_a_spike(app_test, env):
    from ccm import db

    with db.session(env.db_path) as con:
        voc_database.insert_rows(con, voc_database.spike_rows(), voc_database.SPIKE_COLUMNS)
    at = app_test(TRENDS)
    at.session_state["flt_kind"] = "quarter"
    at.session_state["flt_year"] = 2026
    at.session_state["flt_index"] = 1
    at.run()
    assert not at.exception
    spikes = next(df.value for df in at.dataframe if "증가 건수" in df.value.columns)
    assert spikes[["월", "시설", "유형", "건수", "과거 평균", "증가 건수"]].values.tolist() == [
        ["2026년 1월", "철로자전거", "불만", 6, 1.0, 5.0]
    ]


# ---- keyword/topic tabs: what is true when they are empty (issue 13) -------------------------------

UNTOPICAL = [  # May 2025: 문의 items and others no topic of the dictionary names
    ("N1", "2025-05-02 10:00", "문의", "완료", "기념품 문의", "기념품 가게에 엽서가 있나요"),
    ("N2", "2025-05-03 10:00", "문의", "완료", "기념품 종류", "기념품 가게 엽서 종류가 궁금해요"),
    ("N3", "2025-05-04 10:00", "건의", "완료", "엽서 건의", "기념품 엽서를 더 만들어 주세요"),
    ("N4", "2025-05-05 10:00", "칭찬", "완료", "경치", "정상 경치가 아름다웠어요"),
]
COLS6 = ("voc_id", "received_at", "voc_type", "status", "title", "content")


def _trends_may(app_test, role="분석"):
    at = app_test(TRENDS, role=role)
    return run_month(at, 2025, 5)


def test_trends_page_on_items_never_analysed_says_so(app_test, env):
    from ccm import db

    with db.session(env.db_path) as con:
        voc_database.insert_rows(con, UNTOPICAL, COLS6)
    at = _trends_may(app_test)
    assert not at.exception
    shown = texts(at)
    assert "4건은 아직 키워드·주제 분석 전입니다" in shown
    assert "VOC를 적재하면 키워드가 계산됩니다" not in shown
    assert "유형 VOC가 없습니다" not in shown  # there are two 문의 items


def test_trends_page_with_items_but_no_topics_counts_them_in_other(app_test, env):
    from ccm import db, text

    with db.session(env.db_path) as con:
        voc_database.insert_rows(con, UNTOPICAL, COLS6)
        text.enrich(con, env)
    at = _trends_may(app_test, role="열람")
    assert not at.exception
    shown = texts(at)
    assert "주제가 분류된 건이 없습니다 (기타 4건)" in shown
    assert "'문의' 2건 중 주제가 분류된 건이 없습니다 (기타 2건)" in shown
    assert "기타(어느 주제에도 맞지 않음) 비중: 100.0% — 분석한 VOC 4건 중 4건" in shown
    top = next(df.value for df in at.dataframe if "키워드" in df.value.columns)
    assert {"기념품", "엽서"} <= set(top["키워드"])
    candidates = next(df.value for df in at.dataframe if "정의할 말" in df.value.columns)
    assert candidates["주제"].tolist() == ["기념품"] and candidates["건수"].tolist() == [3]
    assert not [b for b in at.button if b.key and b.key.startswith("tr_accept")]  # 열람 cannot edit


def test_trends_page_keywords_tab_says_when_texts_gave_no_keywords(app_test, env):
    from ccm import db, text

    with db.session(env.db_path) as con:
        voc_database.insert_rows(con, [("E1", "2025-05-02 10:00", "문의", "완료", None, None)], COLS6)
        text.enrich(con, env)
    shown = texts(_trends_may(app_test))
    assert "분석한 VOC 1건에서 키워드가 나오지 않았습니다" in shown


def test_trends_page_says_an_analysis_is_running(app_test, env):
    from ccm import db, text

    with db.session(env.db_path) as con:
        voc_database.insert_rows(con, UNTOPICAL, COLS6)
    text.running_marker(env.db_path).write_text('{"done": 2000, "total": 6000}', encoding="utf-8")
    shown = texts(_trends_may(app_test))
    assert "키워드·주제를 분석하는 중입니다 (2,000/6,000건)" in shown
    assert "분석 전입니다" not in shown


def test_analyse_now_button_analyses_items_left_unanalysed(app_test, env):
    from ccm import db

    with db.session(env.db_path) as con:
        voc_database.insert_rows(con, UNTOPICAL, COLS6)
    at = _trends_may(app_test)
    at.button(key="tr_analyse_키워드").click().run()
    assert not at.exception
    assert "키워드·주제 분석을 마쳤습니다." in texts(at)
    with db.session(env.db_path) as con:
        assert con.execute("SELECT count(DISTINCT voc_id) FROM voc_topics").fetchone()[0] == 4


def test_a_candidate_topic_is_accepted_in_one_click(app_test, env):
    from ccm import audit, db, text
    from ccm.settings import load_settings

    with db.session(env.db_path) as con:
        voc_database.insert_rows(con, UNTOPICAL, COLS6)
        text.enrich(con, env)
    at = _trends_may(app_test)
    accept = next(b for b in at.button if b.key == "tr_accept_0")
    assert "'기념품' 주제로 추가" in accept.label
    accept.click().run()
    assert not at.exception and not at.error
    assert text.topics_of(load_settings(env.path))["기념품"][:2] == ["기념품", "엽서"]
    assert "주제 '기념품'을(를) 추가하고 모든 건을 다시 분류했습니다." in texts(at)
    with db.session(env.db_path) as con:
        tagged = dict(con.execute("SELECT voc_id, topic FROM voc_topics").fetchall())
        log = audit.query(con, actions=("settings",))
    assert tagged == {"N1": "기념품", "N2": "기념품", "N3": "기념품", "N4": "기타"}
    assert "주제 추가: 기념품 = 기념품, 엽서" in log["상세"].iloc[0]
