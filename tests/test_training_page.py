"""The 교육 이수 page run as the real app: the demo, an empty and a filtered-to-nothing database, names
shown only to 관리자/분석, and the upload (dry run, then confirm) with its audit entry."""

from __future__ import annotations

import io

import openpyxl
import pytest

from ccm import db
from etl import training_template
from etl.demo_training import staff
from tests.support import page_text

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _texts(at) -> str:
    parts = [
        e.value
        for kind in ("title", "markdown", "caption", "info", "success", "warning", "error")
        for e in getattr(at, kind)
    ]
    parts += [f"{m.label} {m.value}" for m in at.metric]
    for frame in [d.value for d in at.dataframe] + [t.value for t in at.table]:
        parts += list(map(str, frame.columns)) + frame.astype(str).to_numpy().ravel().tolist()
    return "\n".join(map(str, parts))


def _demo_names(settings) -> list[str]:
    return list(staff(list(settings.departments))["성명"])


def test_demo_page_answers_first_and_shows_names_to_admin(demo_env, app_test):
    at = app_test("pages/training.py").run()
    assert not at.exception
    assert [m.label for m in at.metric] == ["이수율", "요건 미달", "1인당 교육시간", "CCM 교육시간 합계"]
    people = [d.value for d in at.dataframe if "이수 과정 수" in d.value.columns and len(d.value) == 40]
    assert people and "성명" in people[0].columns
    assert set(people[0]["성명"]) == set(_demo_names(demo_env))
    courses = [d.value for d in at.dataframe if "만족도 점수" in d.value.columns][0].set_index("과정명")
    # the demo 교육만족도 survey's 교육과정 groups are these two courses
    assert courses.loc[["친절서비스 교육", "CCM 리더 교육"], "만족도 점수"].notna().all()
    assert courses.loc["청렴교육", "만족도 점수"] != courses.loc["청렴교육", "만족도 점수"]  # NaN: no survey
    assert at.get("download_button"), "template and table downloads"
    assert at.file_uploader(key="training_file") is not None
    assert page_text.problems(at, page_text.account_names(demo_env.db_path)) == []


@pytest.mark.parametrize("role, department", [("열람", None), ("부서", "문화사업팀")])
def test_names_are_absent_for_other_roles(demo_env, app_test, role, department):
    at = app_test("pages/training.py", role=role, department=department).run()
    assert not at.exception
    text = _texts(at)
    assert "성명" not in {c for d in at.dataframe for c in d.value.columns}
    assert not [n for n in _demo_names(demo_env) if n in text]
    assert not at.get("file_uploader"), "only 관리자/분석 upload training records"
    if department:
        frames = [
            d.value for d in at.dataframe if "부서" in d.value.columns and "이수 과정 수" in d.value.columns
        ]
        assert frames and set(frames[0]["부서"]) == {department}


def test_empty_database_says_what_to_do(app_test):
    at = app_test("pages/training.py").run()
    assert not at.exception
    assert any("아직 적재된 교육 실적이 없습니다" in i.value for i in at.info)
    assert at.get("download_button"), "the template can be downloaded before any load"


def test_filtered_to_nothing(demo_env, app_test):
    at = app_test("pages/training.py")
    at.session_state["flt_kind"] = "year"
    at.session_state["flt_year"] = 2019
    at.run()
    assert not at.exception
    assert any("2019년" in i.value and "교육 기록이 있는 직원이 없습니다" in i.value for i in at.info)
    assert not at.metric


def _filled_template(env, rows) -> bytes:
    wb = openpyxl.load_workbook(io.BytesIO(training_template.build(env)))
    for r in rows:
        wb[training_template.SHEET].append(r)
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


ROW = [
    "T1",
    "가상인",
    "관광사업팀",
    "일반직",
    "7급",
    "일반",
    "사내",
    "친절서비스 교육",
    "2026-05-06",
    None,
    2,
    "아니오",
    None,
    None,
]


def test_upload_dry_run_then_confirm_is_audited(env, app_test):
    data = _filled_template(env, [ROW, ["T2", "나가상", *ROW[2:7], "청렴교육", *ROW[8:]]])
    at = app_test("pages/training.py", role="분석").run()
    at.file_uploader(key="training_file").set_value(("교육.xlsx", data, XLSX)).run()
    assert not at.exception
    plan = at.table[0].value
    assert plan.loc["새 기록", "값"] == "2건" and plan.loc["교육 기록", "값"] == "2건 (2명)"
    with db.session(env.db_path) as con:
        assert (
            con.execute("SELECT count(*) FROM training_records").fetchone()[0] == 0
        )  # dry run writes nothing
    [button] = [b for b in at.button if b.label == "확인하고 적재"]
    button.click().run()
    assert not at.exception
    assert any("교육 기록 2건(2명)을 적재했습니다" in s.value for s in at.success)
    with db.session(env.db_path) as con:
        assert con.execute("SELECT count(*) FROM training_records").fetchone()[0] == 2
        detail = con.execute("SELECT detail FROM audit_log WHERE action = 'upload'").fetchone()[0]
    assert detail.startswith("교육 실적: 교육.xlsx")


def test_upload_with_errors_lists_them_and_offers_no_load(env, app_test):
    data = _filled_template(env, [[*ROW[:10], "두 시간", *ROW[11:]]])
    at = app_test("pages/training.py").run()
    at.file_uploader(key="training_file").set_value(("오류.xlsx", data, XLSX)).run()
    assert not at.exception
    assert any("1건의 오류" in e.value for e in at.error)
    rejects = [d.value for d in at.dataframe if "사유" in d.value.columns][0]
    assert rejects.iloc[0][["행", "열", "값"]].tolist() == [2, "교육시간", "두 시간"]
    assert not [b for b in at.button if b.label == "확인하고 적재"]
