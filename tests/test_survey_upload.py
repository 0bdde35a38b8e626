from ccm import db, pcsi
from tests.support.survey_files import frame, pcsi_ministry_frame, xlsx

"""The upload flow in the real app: file → proposed spec → confirm (with edits) → stored."""

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _upload(app_test, data: bytes, name: str = "2025_pcsi.xlsx", **user):
    at = app_test("pages/upload.py", **user).run()
    at.file_uploader(key="survey_file").upload(name, data, XLSX).run()
    assert not at.exception
    return at


def _name(at, survey: str):
    """Pick a stored survey, or choose a new one and type its name."""
    pick = next(s for s in at.selectbox if s.label == "설문 이름")
    if survey in pick.options:
        return pick.select(survey).run()
    pick.select("새 설문(이름 입력)").run()
    return next(t for t in at.text_input if t.label == "새 설문 이름").input(survey).run()


def _load_button(at):
    return next(b for b in at.button if b.label == "확인하고 적재")


def test_upload_proposes_the_ministry_mapping_and_loads(env, app_test):
    df = pcsi_ministry_frame()
    df.insert(3, "가중치", 1.0)
    at = _upload(app_test, xlsx(df))
    assert [s.value for s in at.selectbox if s.label == "시설 열"] == ["이용시설"]
    assert [s.value for s in at.selectbox if s.label == "가중치 열"] == ["가중치"]
    assert [s.value for s in at.selectbox if s.label == "척도"] == [7]
    assert [n.value for n in at.number_input if n.label == "조사 연도"] == [2025]
    _name(at, "PCSI")
    _load_button(at).click().run()
    assert not at.exception
    assert any("응답자 80명" in s.value for s in at.success)
    with db.session(env.db_path) as con:
        batch = pcsi.batches(con).iloc[0]
        spec = con.execute("SELECT spec FROM survey_batches").fetchone()[0]
        assert (batch["survey"], batch["year"], batch["loaded_by"]) == ("PCSI", 2025, "test-관리자")
        assert '"weight_column": "가중치"' in spec and '"area": "전반적만족"' in spec
        detail = con.execute("SELECT detail FROM load_batches").fetchone()[0]
        assert '"spec"' in detail
        assert pcsi.overall_index(con, 2025) is not None


def test_user_edits_are_what_is_stored(env, app_test):
    at = _upload(app_test, xlsx(frame()), "small_2025.xlsx")
    next(s for s in at.selectbox if s.label == "가중치 열").select("(없음)")
    next(m for m in at.multiselect if m.label.startswith("역문항")).select("A2")
    next(t for t in at.text_input if t.label.startswith("결측 코드")).input("98, 99, 모름")
    _name(at, "PCSI")
    next(b for b in at.button if b.label == "확인하고 적재").click().run()
    assert not at.exception, at.exception
    with db.session(env.db_path) as con:
        rev = con.execute("SELECT item FROM survey_items WHERE reverse").fetchall()
        spec = con.execute("SELECT spec FROM survey_batches").fetchone()[0]
    assert rev == [("A2",)] and '"weight_column": ""' in spec
    assert '"missing_codes": [98, 99, "모름"]' in spec


def test_bad_file_shows_message_and_stores_nothing(env, app_test):
    at = _upload(
        app_test,
        b"<html><body><p>\xec\x84\xa4\xeb\xac\xb8 \xea\xb2\xb0\xea\xb3\xbc</p></body></html>",
        "export.xls",
    )
    assert any("HTML" in e.value and "표가 없습니다" in e.value for e in at.error)
    assert not [b for b in at.button if b.label == "확인하고 적재"]
    with db.session(env.db_path) as con:
        assert con.execute("SELECT count(*) FROM load_batches").fetchone()[0] == 0


def test_a_refused_upload_is_audited_once(env, app_test):
    at = _upload(app_test, b"<html><body><p>no table</p></body></html>", "refused.xls")
    at.run()  # widgets rerun the page: still one entry
    with db.session(env.db_path) as con:
        rows = con.execute("SELECT username, detail FROM audit_log WHERE action = 'upload'").fetchall()
    assert len(rows) == 1 and rows[0][0] == "test-관리자"
    assert rows[0][1].startswith("고객만족도: refused.xls 거부:") and "표가 없습니다" in rows[0][1]


def test_unassigned_area_is_refused_on_confirm(env, app_test):
    import pandas as pd

    df = pd.DataFrame({"사업장": ["철로자전거"] * 4, "문1": [5, 4, 3, 2], "문2": [2, 1, 3, 5]})
    at = _upload(app_test, xlsx(df), "new_2025.xlsx")
    _name(at, "시설 만족도")
    assert any("영역이 지정되지 않았습니다" in e.value for e in at.error)
    assert _load_button(at).disabled
    with db.session(env.db_path) as con:
        assert con.execute("SELECT count(*) FROM survey_batches").fetchone()[0] == 0


def test_areas_assigned_in_the_editor_are_loaded(env, app_test):
    import hashlib

    import pandas as pd

    df = pd.DataFrame(
        {"사업장": ["철로자전거"] * 4, "문1": [5, 4, 3, 2], "문2": [2, 1, 3, 5], "문3": [1, 1, 1, 1]}
    )
    data = xlsx(df)
    at = _upload(app_test, data, "new_2025.xlsx")
    tag = hashlib.sha256(data).hexdigest()[:8]
    at.text_input(key=f"survey_areas_{tag}").input("편의, 전반")
    _name(at, "전화친절도")
    at.session_state[f"survey_items_{tag}"] = {  # what editing the table does
        "edited_rows": {
            0: {"영역": "편의"},
            1: {"영역": "전반", "문항 내용": "전반적 만족"},
            2: {"점수에 포함": False},
        },
        "added_rows": [],
        "deleted_rows": [],
    }
    at.run()
    next(b for b in at.button if b.label == "확인하고 적재").click().run()
    assert not at.exception and at.success, [e.value for e in at.error]
    with db.session(env.db_path) as con:
        items = con.execute("SELECT item, area, label FROM survey_items ORDER BY position").fetchall()
        # 5-point, equal area weights: 편의 mean of (5,4,3,2) → 62.5; 전반 (2,1,3,5) → 43.75
        assert pcsi.overall_index(con, 2025, "전화친절도") == (62.5 + 43.75) / 2
    assert items == [("문1", "편의", "문1"), ("문2", "전반", "전반적 만족")]


def test_replacing_needs_the_red_confirmation(env, app_test):
    at = _name(_upload(app_test, xlsx(frame()), "small_2025.xlsx"), "PCSI")
    assert not [c for c in at.checkbox]  # a new survey replaces nothing: no confirmation
    _load_button(at).click().run()
    assert at.success
    at = _name(_upload(app_test, xlsx(frame(E1=[7, 7, 7, 7]).iloc[:3]), "small_2025_fixed.xlsx"), "PCSI")
    confirm = next(c for c in at.checkbox if "바꿉니다" in c.label)
    assert confirm.label.startswith(":red[PCSI 2025 응답자 4명을 3명으로 바꿉니다")
    assert _load_button(at).disabled
    confirm.check().run()
    assert not _load_button(at).disabled
    _load_button(at).click().run()
    assert any("대체했습니다" in s.value for s in at.success)
    with db.session(env.db_path) as con:
        assert (
            con.execute(
                "SELECT count(*) FROM survey_respondents JOIN survey_batches USING (batch_id) WHERE active"
            ).fetchone()[0]
            == 3
        )


def _reversed_four_point(n: int = 24):
    import pandas as pd

    answers = [1, 2, 3, 4] * (n // 4)
    return pd.DataFrame(
        {
            "ID": [f"R{i}" for i in range(n)],
            "사업장": ["철로자전거"] * n,
            "문1": answers,
            "문2": answers[::-1],
        }
    )


def test_reversed_four_point_file_is_proposed_and_loaded_as_such(env, app_test):
    import hashlib

    data = xlsx(_reversed_four_point(), title="만족도 조사 (1=매우 만족 … 4=매우 불만족)")
    at = _upload(app_test, data, "reversed_2025.xlsx")
    assert [s.value for s in at.selectbox if s.label == "척도"] == [4]
    assert [s.value for s in at.selectbox if s.label == "척도 방향"] == ["low_good"]
    tag = hashlib.sha256(data).hexdigest()[:8]
    at.session_state[f"survey_items_{tag}"] = {
        "edited_rows": {0: {"영역": "전반적만족"}, 1: {"영역": "전반적만족"}},
        "added_rows": [],
        "deleted_rows": [],
    }
    _name(at, "PCSI")
    _load_button(at).click().run()
    assert not at.exception and at.success, [e.value for e in at.error]
    with db.session(env.db_path) as con:
        spec = con.execute("SELECT spec FROM survey_batches").fetchone()[0]
        # answers 1..4 score 100, 66.667, 33.333, 0 equally often → 50
        assert abs(pcsi.overall_index(con, 2025, "PCSI") - 50.0) < 1e-9
    assert '"direction": "low_good"' in spec and '"scale": 4' in spec


def test_scale_mismatch_is_shown_before_loading(env, app_test):
    at = _upload(app_test, xlsx(_reversed_four_point()), "four_2025.xlsx")
    next(s for s in at.selectbox if s.label == "척도").select(5).run()
    assert any("선언한 척도(5점)와 실제 값(최대 4)이 맞지 않습니다" in w.value for w in at.warning)


def test_no_survey_name_is_proposed(env, app_test):
    at = _upload(app_test, xlsx(frame()), "small_2025.xlsx")
    pick = next(s for s in at.selectbox if s.label == "설문 이름")
    assert pick.value is None
    assert not [t for t in at.text_input if t.label == "새 설문 이름"]
    assert _load_button(at).disabled
    assert any("설문 이름을 고르거나" in i.value for i in at.info)


def _load_as_admin(env, df, survey_name: str = "PCSI") -> None:
    from dataclasses import replace

    from ccm.settings import load_settings
    from etl import survey
    from tests.support.survey_files import SMALL_SPEC

    with db.session(env.db_path) as con:
        survey.load(
            con,
            xlsx(df),
            replace(SMALL_SPEC, survey=survey_name),
            load_settings(env.path),
            name="pcsi_2025.xlsx",
            loaded_by="admin",
        )


def _active_respondents(env) -> int:
    with db.session(env.db_path) as con:
        return con.execute(
            "SELECT count(*) FROM survey_respondents JOIN survey_batches USING (batch_id) WHERE active"
        ).fetchone()[0]


def test_department_account_may_not_replace_the_corporate_pcsi(env, app_test):
    _load_as_admin(env, frame())
    at = _upload(app_test, xlsx(frame().iloc[:2]), "dept_2025.xlsx", role="부서", department="관광사업팀")
    _name(at, "PCSI")
    assert any("공단 전체 고객만족도 조사라서 관리자·분석 계정만" in e.value for e in at.error)
    assert _load_button(at).disabled and not at.table
    assert _active_respondents(env) == 4


def test_department_account_may_load_its_own_survey_but_not_another_departments(env, app_test):
    at = _upload(app_test, xlsx(frame()), "dept_2025.xlsx", role="부서", department="관광사업팀")
    _name(at, "관광 시설 만족도")
    assert not at.error and not _load_button(at).disabled
    _load_button(at).click().run()
    assert at.success, [e.value for e in at.error]
    at = _upload(app_test, xlsx(frame().iloc[:2]), "other_2025.xlsx", role="부서", department="문화사업팀")
    _name(at, "관광 시설 만족도")
    assert any(
        "관광사업팀이(가) 올린 설문이라 문화사업팀 계정으로는 바꿀 수 없습니다" in e.value for e in at.error
    )
    assert _load_button(at).disabled
    assert _active_respondents(env) == 4


def test_the_store_refuses_a_department_account_whatever_the_page_does(env):
    import pytest

    from ccm.settings import load_settings
    from etl import survey
    from tests.support.survey_files import SMALL_SPEC
    from ui.auth import User

    _load_as_admin(env, frame())
    settings = load_settings(env.path)
    dept = User("dept", "부서", "관광사업팀")
    with db.session(env.db_path) as con:
        for name in ("PCSI", "pcsi", " P C S I "):  # the corporate name in any spelling
            from dataclasses import replace

            with pytest.raises(survey.SurveyError, match="관리자·분석 계정만"):
                survey.load(
                    con, xlsx(frame().iloc[:2]), replace(SMALL_SPEC, survey=name), settings, user=dept
                )
        prep = survey.prepare(
            survey.read(xlsx(frame().iloc[:2]), "x.xlsx", SMALL_SPEC, settings), SMALL_SPEC, settings
        )
        with pytest.raises(survey.SurveyError, match="관리자·분석 계정만"):
            survey.store(con, prep, "x.xlsx", "0", user=dept, settings=settings)
    assert _active_respondents(env) == 4


def _one_item(answers: list, name: str = "교육만족도"):
    import pandas as pd

    from etl.survey import Item, SurveySpec

    spec = SurveySpec(survey=name, year=2025, scale=5, missing_codes=(98, 99), items=(Item("문1", "전반"),))
    return pd.DataFrame({"문1": answers}), spec


def test_dry_run_numbers_before_and_after_without_writing(env):
    from ccm.settings import load_settings
    from etl import survey

    settings = load_settings(env.path)
    first, spec = _one_item([5] * 20)
    second, _ = _one_item([1, 3, 98, 7] + [4] * 16)
    with db.session(env.db_path) as con:
        survey.load(con, xlsx(first), spec, settings, name="first.xlsx")
        prep = survey.prepare(survey.read(xlsx(second), "second.xlsx", spec, settings), spec, settings)
        plan = survey.dry_run(con, prep, settings)
        batches = con.execute("SELECT count(*) FROM load_batches").fetchone()[0]
        now = pcsi.overall_index(con, 2025, "교육만족도")
    # 5-point: 1 → 0, 3 → 50, 4 → 75; 98 is missing, 7 is out of scale; 18 scored respondents
    assert (plan.n_before, plan.n_after, plan.missing, plan.invalid) == (20, 20, 1, 1)
    assert plan.index_before == 100.0
    assert abs(plan.index_after - (0 + 50 + 16 * 75) / 18) < 1e-9
    assert plan.replacement() == "교육만족도 2025 응답자 20명을 20명으로 바꿉니다 (종합지수 100.0점 → 69.4점)"
    assert batches == 1 and now == 100.0  # nothing kept


def test_dry_run_is_shown_on_the_page(env, app_test):
    _load_as_admin(env, frame())
    at = _name(_upload(app_test, xlsx(frame().iloc[:3]), "again_2025.xlsx"), "PCSI")
    shown = at.table[0].value
    assert list(shown.loc["응답자"]) == ["4명", "3명"]
    assert (
        shown.loc["결측 응답(빈 칸·모름·무응답)", "적재 후"] == "2개"
    )  # R1 D1 = 99, R2 A2 = 98 (R4 is not in the file)


def test_areas_are_assigned_in_bulk_by_prefix_or_range(env, app_test):
    import hashlib

    import pandas as pd

    df = pd.DataFrame(
        {
            "사업장": ["철로자전거"] * 4,
            "S1": [5, 4, 3, 2],
            "S2": [5, 5, 5, 5],
            "T1": [1, 2, 3, 4],
            "T2": [2, 2, 2, 2],
            "T3": [3, 3, 3, 3],
        }
    )
    data = xlsx(df)
    at = _upload(app_test, data, "bulk_2025.xlsx")
    tag = hashlib.sha256(data).hexdigest()[:8]
    assert at.button(key=f"survey_bulk_{tag}").disabled  # nothing to assign yet
    at.text_input(key=f"survey_bulk_pattern_{tag}").input("S*")
    at.selectbox(key=f"survey_bulk_area_{tag}").select("서비스환경").run()
    at.button(key=f"survey_bulk_{tag}").click().run()
    assert any("S1, S2 → 서비스환경 (2개 문항)" in s.value for s in at.success)
    at.text_input(key=f"survey_bulk_pattern_{tag}").input("T1–T2")
    at.selectbox(key=f"survey_bulk_area_{tag}").select("전반적만족").run()
    at.button(key=f"survey_bulk_{tag}").click().run()
    at.text_input(key=f"survey_bulk_pattern_{tag}").input("U*").run()
    at.button(key=f"survey_bulk_{tag}").click().run()
    assert any("'U\\*'에 맞는 문항이 없습니다" in w.value for w in at.warning)  # * escaped: shown as typed
    assert list(at.session_state[f"survey_itemview_{tag}"]["영역"]) == [
        "서비스환경",
        "서비스환경",
        "전반적만족",
        "전반적만족",
        "",
    ]
    _name(at, "시설 만족도")
    assert any("T3" in e.value and "영역이 지정되지 않았습니다" in e.value for e in at.error)  # T3 still open
    at.text_input(key=f"survey_bulk_pattern_{tag}").input("T3").run()
    at.button(key=f"survey_bulk_{tag}").click().run()
    _load_button(at).click().run()
    assert at.success and not at.error, [e.value for e in at.error]
    with db.session(env.db_path) as con:
        items = con.execute("SELECT item, area FROM survey_items ORDER BY position").fetchall()
    assert items == [
        ("S1", "서비스환경"),
        ("S2", "서비스환경"),
        ("T1", "전반적만족"),
        ("T2", "전반적만족"),
        ("T3", "전반적만족"),
    ]


def test_a_means_row_at_the_bottom_is_not_counted_as_a_respondent(env, app_test):
    import pandas as pd

    df = frame()
    means = {c: (df[c].mean() if c in ("A1", "B1", "C1", "E1") else "") for c in df.columns}
    means["ID"] = "평균"
    at = _name(
        _upload(
            app_test, xlsx(pd.concat([df, pd.DataFrame([means])], ignore_index=True)), "with_mean_2025.xlsx"
        ),
        "PCSI",
    )
    assert list(at.table[0].value.loc["응답자"]) == ["없음(새 설문)", "4명"]
    assert any("평균 행 1개(6행)를 건너뛰었습니다" in w.value for w in at.warning)  # said before loading
    _load_button(at).click().run()
    assert any("응답자 4명" in s.value for s in at.success)
    assert _active_respondents(env) == 4
