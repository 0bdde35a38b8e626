"""The upload flow in the real app: file → proposed spec → confirm (with edits) → stored."""
from ccm import db, pcsi
from survey_support import frame, pcsi_ministry_frame, xlsx

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _upload(app_test, data: bytes, name: str = "2025_pcsi.xlsx"):
    at = app_test("pages/upload.py").run()
    at.file_uploader(key="survey_file").upload(name, data, XLSX).run()
    assert not at.exception
    return at


def test_upload_proposes_the_ministry_mapping_and_loads(env, app_test):
    df = pcsi_ministry_frame()
    df.insert(3, "가중치", 1.0)
    at = _upload(app_test, xlsx(df))
    assert [s.value for s in at.selectbox if s.label == "시설 열"] == ["이용시설"]
    assert [s.value for s in at.selectbox if s.label == "가중치 열"] == ["가중치"]
    assert [s.value for s in at.selectbox if s.label == "척도"] == [7]
    assert [n.value for n in at.number_input if n.label == "조사 연도"] == [2025]
    next(b for b in at.button if b.label == "확인하고 적재").click().run()
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
    next(t for t in at.text_input if t.label == "설문 이름").input("PCSI")
    next(t for t in at.text_input if t.label.startswith("결측 코드")).input("98, 99, 모름")
    at.run()
    next(b for b in at.button if b.label == "확인하고 적재").click().run()
    assert not at.exception, at.exception
    with db.session(env.db_path) as con:
        rev = con.execute("SELECT item FROM survey_items WHERE reverse").fetchall()
        spec = con.execute("SELECT spec FROM survey_batches").fetchone()[0]
    assert rev == [("A2",)] and '"weight_column": ""' in spec
    assert '"missing_codes": [98, 99, "모름"]' in spec


def test_bad_file_shows_message_and_stores_nothing(env, app_test):
    at = _upload(app_test, b"<html><body><p>\xec\x84\xa4\xeb\xac\xb8 \xea\xb2\xb0\xea\xb3\xbc</p></body></html>", "export.xls")
    assert any("HTML" in e.value and "표가 없습니다" in e.value for e in at.error)
    assert not [b for b in at.button if b.label == "확인하고 적재"]
    with db.session(env.db_path) as con:
        assert con.execute("SELECT count(*) FROM load_batches").fetchone()[0] == 0


def test_unassigned_area_is_refused_on_confirm(env, app_test):
    import pandas as pd

    df = pd.DataFrame({"사업장": ["철로자전거"] * 4, "문1": [5, 4, 3, 2], "문2": [2, 1, 3, 5]})
    at = _upload(app_test, xlsx(df), "new_2025.xlsx")
    next(b for b in at.button if b.label == "확인하고 적재").click().run()
    assert any("영역이 지정되지 않았습니다" in e.value for e in at.error)
    with db.session(env.db_path) as con:
        assert con.execute("SELECT count(*) FROM survey_batches").fetchone()[0] == 0


def test_areas_assigned_in_the_editor_are_loaded(env, app_test):
    import hashlib

    import pandas as pd

    df = pd.DataFrame({"사업장": ["철로자전거"] * 4, "문1": [5, 4, 3, 2], "문2": [2, 1, 3, 5], "문3": [1, 1, 1, 1]})
    data = xlsx(df)
    at = _upload(app_test, data, "new_2025.xlsx")
    tag = hashlib.sha256(data).hexdigest()[:8]
    at.text_input(key=f"survey_areas_{tag}").input("편의, 전반")
    at.text_input(key=f"survey_name_{tag}").input("전화친절도")
    at.session_state[f"survey_items_{tag}"] = {  # what editing the table does
        "edited_rows": {0: {"영역": "편의"}, 1: {"영역": "전반", "문항 내용": "전반적 만족"}, 2: {"점수에 포함": False}},
        "added_rows": [], "deleted_rows": []}
    at.run()
    next(b for b in at.button if b.label == "확인하고 적재").click().run()
    assert not at.exception and at.success, [e.value for e in at.error]
    with db.session(env.db_path) as con:
        items = con.execute("SELECT item, area, label FROM survey_items ORDER BY position").fetchall()
        # 5-point, equal area weights: 편의 mean of (5,4,3,2) → 62.5; 전반 (2,1,3,5) → 43.75
        assert pcsi.overall_index(con, 2025, "전화친절도") == (62.5 + 43.75) / 2
    assert items == [("문1", "편의", "문1"), ("문2", "전반", "전반적 만족")]


def test_reupload_names_the_batch_it_would_replace(env, app_test):
    data = xlsx(frame())
    at = _upload(app_test, data, "small_2025.xlsx")
    next(b for b in at.button if b.label == "확인하고 적재").click().run()
    assert at.success
    at = _upload(app_test, xlsx(frame(E1=[7, 7, 7, 7])), "small_2025_fixed.xlsx")
    assert any("이미 적재되어 있습니다" in i.value and "small_2025.xlsx" in i.value for i in at.info)
    next(b for b in at.button if b.label == "확인하고 적재").click().run()
    assert any("대체했습니다" in s.value for s in at.success)


def _reversed_four_point(n: int = 24):
    import pandas as pd

    answers = [1, 2, 3, 4] * (n // 4)
    return pd.DataFrame({"ID": [f"R{i}" for i in range(n)], "사업장": ["철로자전거"] * n, "문1": answers,
                         "문2": answers[::-1]})


def test_reversed_four_point_file_is_proposed_and_loaded_as_such(env, app_test):
    import hashlib

    data = xlsx(_reversed_four_point(), title="만족도 조사 (1=매우 만족 … 4=매우 불만족)")
    at = _upload(app_test, data, "reversed_2025.xlsx")
    assert [s.value for s in at.selectbox if s.label == "척도"] == [4]
    assert [s.value for s in at.selectbox if s.label == "척도 방향"] == ["low_good"]
    tag = hashlib.sha256(data).hexdigest()[:8]
    at.session_state[f"survey_items_{tag}"] = {"edited_rows": {0: {"영역": "전반적만족"}, 1: {"영역": "전반적만족"}},
                                               "added_rows": [], "deleted_rows": []}
    at.run()
    next(b for b in at.button if b.label == "확인하고 적재").click().run()
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
