"""The PCSI page on the demo database, on an empty one, and per role."""

import pytest


def _texts(at) -> str:
    parts = [m.value for m in at.markdown] + [c.value for c in at.caption] + [w.value for w in at.warning]
    parts += [i.value for i in at.info] + [s.value for s in at.subheader]
    return "\n".join(str(p) for p in parts)


def test_empty_database_shows_how_to_load(app_test):
    at = app_test("pages/pcsi.py").run()
    assert not at.exception
    assert any("아직 적재된 고객만족도 설문이 없습니다" in i.value for i in at.info)


@pytest.fixture
def page(demo_env, app_test):
    return app_test("pages/pcsi.py").run()


def test_demo_page_shows_index_against_target_and_peer(page):
    assert not page.exception
    labels = {m.label: m.value for m in page.metric}
    assert "2026년 종합지수" in labels and labels["2026년 종합지수"].endswith("점")
    assert 85 < float(labels["2026년 종합지수"].removesuffix("점")) < 95
    assert labels["목표"] == "90.0점"  # one format for scores: one decimal
    assert labels["관광공사군 평균 (2023년)"] == "88.5점"
    assert "Welch t-검정" in _texts(page)


def test_demo_page_marks_small_groups_and_names_fix_first_items(page):
    text = _texts(page)
    assert "우선 개선할 문항" in text
    facility_table = next(df.value for df in page.dataframe if "시설" in df.value.columns)
    small = facility_table[facility_table["비고"] != ""]
    assert list(small["시설"]) == ["문경사랑새재장터"] and (small["응답자 수"] < 30).all()
    assert (facility_table["95% 하한"] < facility_table["점수"]).all()


def test_comments_search_and_masking(page):
    page.text_input(key="pcsi_comment_q").input("연락").run()
    comments = next(df.value for df in page.dataframe if "의견" in df.value.columns)
    assert len(comments) > 0 and comments["의견"].str.contains("[전화번호]", regex=False).all()
    assert not comments["의견"].str.contains(r"010-\d", regex=True).any()


def test_demographic_filter_changes_n(page):
    before = {m.label: m.help for m in page.metric}["전년 대비"]
    page.multiselect(key="pcsi_demo_성별").select("여").run()
    assert not page.exception
    after = {m.label: m.help for m in page.metric}["전년 대비"]
    assert before != after


def test_viewer_role_sees_no_comment_texts(demo_env, app_test):
    at = app_test("pages/pcsi.py", role="열람").run()
    assert not at.exception
    assert "열람 권한에서는 볼 수 없습니다" in _texts(at)
    assert not any("의견" in df.value.columns for df in at.dataframe)


def test_department_user_sees_own_facilities_only(demo_env, app_test):
    at = app_test("pages/pcsi.py", role="부서", department="관광사업팀").run()
    assert not at.exception
    facility_table = next(df.value for df in at.dataframe if "시설" in df.value.columns)
    assert set(facility_table["시설"]) == {"철로자전거", "관광사격장", "국민여가캠핑장"}


def test_other_survey_is_selectable(page):
    page.selectbox(key="pcsi_survey").select("교육만족도").run()
    assert not page.exception
    assert "2026년 종합지수" in {m.label for m in page.metric}


def test_department_without_respondents_gets_an_empty_state(demo_env, app_test):
    at = app_test("pages/pcsi.py", role="부서", department="혁신안전팀").run()
    assert not at.exception
    assert any("해당하는 응답이 없습니다" in i.value for i in at.info)
