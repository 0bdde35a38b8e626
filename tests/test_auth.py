"""Accounts: argon2 hashes, lockout after repeated failures, session expiry, last administrator kept."""

from datetime import datetime, timedelta

import pytest

from ccm import auth, db

T0 = datetime(2026, 11, 25, 9, 0)


@pytest.fixture
def con(env):
    with db.session(env.db_path) as c:
        yield c


@pytest.fixture
def admin(con, env):
    return auth.create_user(con, "kim", "관리자", None, "correct-horse", settings=env, now=T0)


def test_password_is_stored_as_argon2_hash_only(con, admin):
    stored = con.execute("SELECT password_hash FROM users WHERE username = 'kim'").fetchone()[0]
    assert stored.startswith("$argon2id$") and "correct-horse" not in stored


def test_correct_password_signs_in(con, env, admin):
    assert auth.authenticate(con, "kim", "correct-horse", T0, env).role == "관리자"


def test_wrong_password_and_unknown_user_get_the_same_message(con, env, admin):
    with pytest.raises(auth.AuthError) as wrong:
        auth.authenticate(con, "kim", "nope", T0, env)
    with pytest.raises(auth.AuthError) as unknown:
        auth.authenticate(con, "nobody", "nope", T0, env)
    assert str(wrong.value).split(" (")[0] == str(unknown.value).split(" (")[0]


def _fail(con, env, n, at):
    for i in range(n):
        with pytest.raises(auth.AuthError):
            auth.authenticate(con, "kim", "wrong", at + timedelta(seconds=i), env)


def test_account_locks_after_max_failures_even_for_the_right_password(con, env, admin):
    _fail(con, env, auth.rules(env)["max_failures"], T0)
    with pytest.raises(auth.AuthError, match="잠겼습니다"):
        auth.authenticate(con, "kim", "correct-horse", T0 + timedelta(minutes=1), env)


def test_lock_ends_after_lockout_minutes(con, env, admin):
    _fail(con, env, auth.rules(env)["max_failures"], T0)
    later = T0 + timedelta(minutes=auth.rules(env)["lockout_minutes"], seconds=30)
    assert auth.authenticate(con, "kim", "correct-horse", later, env).username == "kim"


def test_success_resets_the_failure_count(con, env, admin):
    n = auth.rules(env)["max_failures"]
    _fail(con, env, n - 1, T0)
    auth.authenticate(con, "kim", "correct-horse", T0 + timedelta(seconds=30), env)
    _fail(con, env, n - 1, T0 + timedelta(minutes=1))
    assert auth.locked_until(con, "kim", T0 + timedelta(minutes=2), env) is None


def test_disabled_account_cannot_sign_in(con, env, admin):
    auth.create_user(con, "lee", "분석", None, "another-pass", settings=env)
    auth.update_user(con, "lee", role="분석", department=None, active=False, settings=env, by="kim")
    with pytest.raises(auth.AuthError):
        auth.authenticate(con, "lee", "another-pass", T0, env)


def test_last_active_admin_cannot_be_demoted_or_disabled(con, env, admin):
    with pytest.raises(auth.AuthError, match="마지막 관리자"):
        auth.update_user(con, "kim", role="분석", department=None, active=True, settings=env)
    with pytest.raises(auth.AuthError, match="마지막 관리자"):
        auth.update_user(con, "kim", role="관리자", department=None, active=False, settings=env)


def test_department_role_needs_a_configured_department(con, env):
    with pytest.raises(auth.AuthError, match="부서를 지정"):
        auth.create_user(con, "park", "부서", None, "long-enough-pw", settings=env)
    with pytest.raises(auth.AuthError, match="설정에 없는 부서"):
        auth.create_user(con, "park", "부서", "없는팀", "long-enough-pw", settings=env)


def test_short_password_is_refused(con, env):
    with pytest.raises(auth.AuthError, match="자 이상"):
        auth.create_user(con, "choi", "분석", None, "short", settings=env)


def test_session_expires_when_idle_and_after_max_hours(env):
    r = auth.rules(env)
    idle = timedelta(minutes=r["idle_timeout_minutes"] + 1)
    assert auth.session_expired(T0, T0, T0 + timedelta(minutes=5), env) is None
    assert "사용하지 않아" in auth.session_expired(T0, T0, T0 + idle, env)
    late = T0 + timedelta(hours=r["max_session_hours"], minutes=1)
    assert "시간이 지나" in auth.session_expired(T0, late - timedelta(minutes=1), late, env)


def test_logins_and_failures_are_audited(con, env, admin):
    auth.authenticate(con, "kim", "correct-horse", T0, env)
    _fail(con, env, 1, T0 + timedelta(minutes=1))
    actions = [
        r[0]
        for r in con.execute(
            "SELECT action FROM audit_log WHERE username = 'kim' ORDER BY audit_id"
        ).fetchall()
    ]
    assert actions == ["user_add", "login", "login_failed"]
