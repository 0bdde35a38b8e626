"""The 개선과제 page (AppTest) on the demo, an empty and a filtered-to-nothing database, and per role;
the trends page's '개선과제 만들기' control."""

from __future__ import annotations

from ccm import db


def _text(at) -> str:
    parts = (
        [m.value for m in at.markdown]
        + [c.value for c in at.caption]
        + [i.value for i in at.info]
        + [s.value for s in at.success]
        + [e.value for e in at.error]
        + [str(m.label) + str(m.value) for m in at.metric]
    )
    return "\n".join(str(p) for p in parts)


def _no_english(at) -> None:
    shown = _text(at)
    for word in ("None", "nan", "NaN", "TRUE", "FALSE", "action_id"):
        assert word not in shown, word


def test_page_on_the_demo_shows_register_effect_and_cco_list(demo_env, app_test):
    at = app_test("pages/actions.py", role="분석").run()
    assert not at.exception, at.exception
    metrics = {m.label: m.value for m in at.metric}
    assert metrics["전체 과제"] == "8건" and metrics["기한 초과"] == "1건"
    frames = [df.value for df in at.dataframe]
    assert any("효과 판정" in f.columns for f in frames)
    assert any("구분" in f.columns and "기한 초과" in set(f["구분"]) for f in frames)
    effect = next(f for f in frames if "효과 판정" in f.columns)
    assert set(effect["효과 판정"]) <= {"개선됨", "변화 없음", "악화", "판단 보류"}
    assert "포아송" in _text(at) and "판단 보류" in _text(at)
    _no_english(at)


def test_page_on_an_empty_database_says_how_to_start(app_test):
    at = app_test("pages/actions.py").run()
    assert not at.exception, at.exception
    assert "아직 개선과제가 없습니다" in _text(at)
    assert at.button(key="FormSubmitter:act_new-개선과제 만들기") is not None


def test_page_filtered_to_nothing(demo_env, app_test):
    at = app_test("pages/actions.py", role="부서", department="혁신안전팀").run()
    assert not at.exception, at.exception
    assert {m.label: m.value for m in at.metric}["전체 과제"] == "0건"
    assert "아직 개선과제가 없습니다" in _text(at)


def test_viewer_reads_but_cannot_create(demo_env, app_test):
    at = app_test("pages/actions.py", role="열람").run()
    assert not at.exception, at.exception
    assert "열람 권한은 개선과제를 볼 수만 있습니다." in _text(at)
    assert not any(b.label == "개선과제 만들기" for b in at.button)


def test_department_sees_only_its_own_actions(demo_env, app_test):
    at = app_test("pages/actions.py", role="부서", department="관광사업팀").run()
    assert not at.exception, at.exception
    register = next(df.value for df in at.dataframe if "개선시행 부서" in df.value.columns)
    assert set(register["개선시행 부서"]) == {"관광사업팀"}


def test_create_from_the_form_is_stored_and_audited(app_test, env):
    at = app_test("pages/actions.py", role="부서", department="관광사업팀").run()
    at.text_input(key="act_new_title").input("매표소 안내 개선")
    at.button(key="FormSubmitter:act_new-개선과제 만들기").click().run()
    assert not at.exception, at.exception
    assert "개선과제 1번" in _text(at)
    with db.session(env.db_path) as con:
        assert con.execute("SELECT title, department, status FROM improvement_actions").fetchall() == [
            ("매표소 안내 개선", "관광사업팀", "발굴")
        ]
        assert con.execute("SELECT count(*) FROM audit_log WHERE action = 'action_create'").fetchone()[0] == 1


def test_trends_matrix_cell_becomes_an_action(demo_env, app_test):
    at = app_test("pages/trends.py", role="분석").run()
    assert not at.exception, at.exception
    at.toggle(key="tr_prev_fac").set_value(True).run()
    at.selectbox(key="tr_act_prev_pick").select_index(0).run()
    title = at.text_input(key="tr_act_prev_form_0_title").value
    at.button(key="FormSubmitter:tr_act_prev_form_0-개선과제 만들기").click().run()
    assert not at.exception, at.exception
    with db.session(demo_env.db_path) as con:
        row = con.execute(
            "SELECT action_id, title, origin, facility, topic FROM improvement_actions "
            "ORDER BY action_id DESC LIMIT 1"
        ).fetchone()
        linked = con.execute("SELECT count(*) FROM action_voc WHERE action_id = ?", [row[0]]).fetchone()[0]
    assert row[1] == title and row[2] == "경중도×빈도" and row[3] and row[4]
    assert linked > 0
    assert any("만들었습니다" in s.value for s in at.success)


def test_selected_items_of_a_topic_become_an_action(demo_env, app_test):
    at = app_test("pages/trends.py", role="분석").run()
    at.selectbox(key="tr_topic_pick").select_index(0).run()
    topic = at.selectbox(key="tr_topic_pick").value
    pick = at.multiselect(key="tr_act_items_pick")
    chosen = pick.options[:2]
    ids = [o.split(" · ")[0] for o in chosen]
    pick.select(ids[0]).select(ids[1]).run()
    at.button(key="FormSubmitter:tr_act_items_form-개선과제 만들기").click().run()
    assert not at.exception, at.exception
    with db.session(demo_env.db_path) as con:
        row = con.execute(
            "SELECT action_id, origin, topic, facility FROM improvement_actions "
            "ORDER BY action_id DESC LIMIT 1"
        ).fetchone()
        linked = sorted(
            r[0]
            for r in con.execute("SELECT voc_id FROM action_voc WHERE action_id = ?", [row[0]]).fetchall()
        )
    assert row[1:] == ("선택한 VOC", topic, None)
    assert linked == sorted(ids)
