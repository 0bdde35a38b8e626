"""관리 page: users, audit log, batch history and rollback, settings editor (real database, real loader)."""

import re
from pathlib import Path

import pytest

from ccm import audit, auth, batches, db
from ccm.settings import load_settings
from etl import voc
from tests.support.overlapping_exports import EXPORT_A, EXPORT_B, voc_csv


def shown_text(markdown: str) -> str:
    """What the reader sees of an escaped message: backslash escapes and word joiners removed."""
    return re.sub(r"\\(.)", r"\1", markdown).replace("\u2060", "")


# Bookkeeping, plus text_cache: a content-addressed cache of analysed texts (entries are reusable, never wrong).
BOOKKEEPING = {
    "load_batches",
    "audit_log",
    "login_attempts",
    "users",
    "sessions",
    "schema_info",
    "text_cache",
}


def _snapshot(db_path: Path) -> dict:
    """Every data table's rows, sorted (bookkeeping tables excluded)."""
    with db.session(db_path) as con:
        tables = [
            r[0]
            for r in con.execute(
                "SELECT table_name FROM duckdb_tables() WHERE schema_name = 'main' ORDER BY 1"
            ).fetchall()
        ]
        return {
            t: sorted(map(repr, con.execute(f"SELECT * FROM {t}").fetchall()))
            for t in tables
            if t not in BOOKKEEPING
        }


def _load(env, tmp_path: Path, name: str, rows: list[str]) -> int:
    report = voc.load(env.db_path, [voc_csv(tmp_path, name, rows)], env, loaded_by="pytest")
    return report.batches[0].batch_id


def _frame_with(at, column: str):
    return next(d.value for d in at.dataframe if column in d.value.columns)


def _rollback_in_page(app_test, batch_id: int, sure: bool = True):
    at = app_test("pages/admin.py").run()
    at.selectbox(key="admin_rb_batch").select(batch_id)
    if sure:
        at.checkbox(key="admin_rb_sure").check()
    at.button(key="FormSubmitter:admin_rollback-되돌리기").click().run()
    return at


def test_rollback_in_the_page_restores_the_state_after_the_previous_load_exactly(app_test, env, tmp_path):
    _load(env, tmp_path, "a.csv", EXPORT_A)
    after_a = _snapshot(env.db_path)
    b = _load(env, tmp_path, "b.csv", EXPORT_B)
    assert _snapshot(env.db_path) != after_a
    at = _rollback_in_page(app_test, b)
    assert not at.exception and not at.error
    assert _snapshot(env.db_path) == after_a
    with db.session(env.db_path) as con:
        assert (
            con.execute("SELECT status FROM load_batches WHERE batch_id = ?", [b]).fetchone()[0]
            == "rolled_back"
        )
        log = audit.query(con, actions=("rollback",))
    assert log["사용자"].tolist() == ["test-관리자"] and f"적재번호 {b}" in log["상세"].iloc[0]


def test_rollback_needs_the_confirmation(app_test, env, tmp_path):
    a = _load(env, tmp_path, "a.csv", EXPORT_A)
    at = _rollback_in_page(app_test, a, sure=False)
    assert "확인란" in at.warning[0].value
    with db.session(env.db_path) as con:
        assert (
            con.execute("SELECT status FROM load_batches WHERE batch_id = ?", [a]).fetchone()[0] == "loaded"
        )


def test_rollback_refusal_from_the_loader_is_shown_in_korean(app_test, env, tmp_path):
    a = _load(env, tmp_path, "a.csv", EXPORT_A)
    _load(env, tmp_path, "b.csv", EXPORT_B)  # changes an item of A
    at = _rollback_in_page(app_test, a)
    assert "되돌리세요" in at.error[0].value


def test_batch_history_lists_every_load_with_counts(app_test, env, tmp_path):
    _load(env, tmp_path, "a.csv", EXPORT_A)
    _load(env, tmp_path, "b.csv", EXPORT_B)
    with db.session(env.db_path) as con:
        history = batches.batch_history(con)
    assert history[["파일", "읽은_행", "추가", "갱신"]].values.tolist() == [
        ["b.csv", 2, 1, 1],
        ["a.csv", 3, 3, 0],
    ]
    at = app_test("pages/admin.py").run()
    assert set(_frame_with(at, "파일")["파일"]) == {"a.csv", "b.csv"}


def test_empty_database_shows_empty_batch_history(app_test):
    at = app_test("pages/admin.py").run()
    assert not at.exception and any("아직 적재한 데이터가 없습니다" in i.value for i in at.info)


def test_admin_adds_a_user_and_it_is_audited(app_test, env):
    at = app_test("pages/admin.py").run()
    at.text_input(key="admin_new_username").input("park")
    at.selectbox(key="admin_new_role").select("부서")
    at.selectbox(key="admin_new_dept").select("관광사업팀")
    at.text_input(key="admin_new_password").input("park-password-1")
    at.button(key="FormSubmitter:admin_add_user-추가").click().run()
    assert not at.exception and "추가했습니다" in at.success[0].value
    with db.session(env.db_path) as con:
        assert auth.get_account(con, "park") == auth.Account("park", "부서", "관광사업팀", True, True)
        assert "park" in audit.query(con, actions=("user_add",))["상세"].iloc[0]


def test_admin_cannot_demote_the_last_administrator(app_test, env):
    at = app_test("pages/admin.py").run()
    at.selectbox(key="admin_chg_user").select("test-관리자")
    at.selectbox(key="admin_chg_role").select("열람")
    at.button(key="FormSubmitter:admin_change_user-변경").click().run()
    assert "마지막 관리자" in at.error[0].value


def test_audit_tab_shows_entries(app_test, env):
    with db.session(env.db_path) as con:
        audit.record(con, "kim", "export", "VOC 목록 (3행, csv)")
    at = app_test("pages/admin.py").run()
    log = _frame_with(at, "작업")
    assert "VOC 목록 (3행, csv)" in log["상세"].tolist()


# ---- settings editor ---------------------------------------------------------------------------
def _save_settings(app_test, text: str):
    at = app_test("pages/admin.py").run()
    at.text_area(key="admin_settings_text").input(text)
    at.button(key="admin_settings_save").click().run()
    return at


def test_settings_syntax_error_names_line_and_nothing_is_written(app_test, env):
    before = env.path.read_text(encoding="utf-8")
    at = _save_settings(app_test, before.replace('work_start = "09:00"', 'work_start = "09:00'))
    assert "TOML 문법 오류" in at.error[0].value and "행" in at.error[0].value
    assert env.path.read_text(encoding="utf-8") == before


@pytest.mark.parametrize(
    "old,new,message",
    [
        ('"철로자전거" = "관광사업팀"', '"철로자전거" = "없는팀"', "departments 에 없는 부서"),
        ('work_start = "09:00"', 'work_start = "9시"', "HH:MM"),
        ('"고충" = 7', '"고충" = 0', "1 이상의 정수"),
        (
            "extra_closures = []",
            'extra_closures = [{ date = "2025-13-20", name = "휴무", source = "결재" }]',
            "YYYY-MM-DD",
        ),
        (
            "extra_closures = []",
            'extra_closures = [{ date = "2025-10-07", name = "임시 휴무" }]',
            "근거(source)가 없습니다",
        ),
        ("max_failures = 5", 'max_failures = "다섯"', "[auth] max_failures"),
    ],
)
def test_settings_validation_refuses_bad_values(app_test, env, old, new, message):
    before = env.path.read_text(encoding="utf-8")
    assert old in before
    at = _save_settings(app_test, before.replace(old, new, 1))
    assert message in shown_text(at.error[0].value)
    assert env.path.read_text(encoding="utf-8") == before


def test_valid_settings_change_is_saved_with_comments_and_audited(app_test, env):
    before = env.path.read_text(encoding="utf-8")
    at = _save_settings(app_test, before.replace("at_risk_share = 0.25", "at_risk_share = 0.3"))
    assert not at.error and "저장했습니다" in at.success[0].value
    after = env.path.read_text(encoding="utf-8")
    assert "at_risk_share = 0.3" in after and "# CCM 성과 대시보드 설정" in after
    assert load_settings(env.path)["sla"]["at_risk_share"] == 0.3
    with db.session(env.db_path) as con:
        assert "sla" in audit.query(con, actions=("settings",))["상세"].iloc[0]


def test_calendar_change_recomputes_stored_deadlines(app_test, env, tmp_path):
    _load(env, tmp_path, "a.csv", EXPORT_A)
    with db.session(env.db_path) as con:
        due_before = con.execute("SELECT due_at FROM voc_items WHERE voc_id = 'H7-002'").fetchone()[0]
    text = env.path.read_text(encoding="utf-8").replace(
        "extra_closures = []",
        'extra_closures = [{ date = "2026-10-07", name = "임시 휴무", source = "시험용 결재" }]',
        1,
    )
    at = _save_settings(app_test, text)
    assert not at.error and "다시 계산했습니다" in at.success[0].value
    with db.session(env.db_path) as con:
        due_after = con.execute("SELECT due_at FROM voc_items WHERE voc_id = 'H7-002'").fetchone()[0]
    assert due_after.date() > due_before.date()  # 2026-10-07 is now closed: the deadline moves a day on


def test_rollback_dispatches_survey_batches_to_the_survey_loader(env):
    from etl import survey

    samples = Path(__file__).resolve().parent.parent / "data" / "samples"
    spec = survey.load_spec(samples / "survey_pcsi_2025_spec.toml")
    before = _snapshot(env.db_path)
    with db.session(env.db_path) as con:
        result = survey.load(
            con,
            (samples / "survey_pcsi_2025.xlsx").read_bytes(),
            spec,
            env,
            name="survey_pcsi_2025.xlsx",
            loaded_by="pytest",
        )
        assert batches.rollback_batch(con, result.batch_id, "kim", env)["batch_id"] == result.batch_id
    assert _snapshot(env.db_path) == before


def test_settings_changed_elsewhere_since_editing_began_are_not_overwritten(app_test, env):
    at = app_test("pages/admin.py").run()
    original = env.path.read_text(encoding="utf-8")
    elsewhere = original.replace("at_risk_share = 0.25", "at_risk_share = 0.2")
    env.path.write_text(elsewhere, encoding="utf-8")
    at.text_area(key="admin_settings_text").input(
        original.replace("lockout_minutes = 15", "lockout_minutes = 20")
    )
    at.button(key="admin_settings_save").click().run()
    assert "다른 곳에서 설정 파일이 바뀌었습니다" in at.error[0].value
    assert env.path.read_text(encoding="utf-8") == elsewhere
    at.button(key="admin_settings_reload").click().run()
    assert at.text_area(key="admin_settings_text").value == elsewhere


def test_change_form_shows_the_chosen_users_current_values(app_test, env):
    with db.session(env.db_path) as con:
        auth.create_user(con, "park", "부서", "관광사업팀", "park-password-1", settings=env)
    at = app_test("pages/admin.py").run()
    at.selectbox(key="admin_chg_user").select("park").run()
    assert at.selectbox(key="admin_chg_role").value == "부서"
    assert at.selectbox(key="admin_chg_dept").value == "관광사업팀"
    assert at.checkbox(key="admin_chg_active").value is True
