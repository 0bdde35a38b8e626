"""Login does the same work whether the account exists or not: one argon2 verification per attempt
(counted, not timed), so the answer's timing does not reveal which user names exist."""

from datetime import datetime, timedelta

import pytest
from argon2 import PasswordHasher

from ccm import auth, db

T0 = datetime(2026, 11, 25, 9, 0)


@pytest.fixture
def con(env):
    with db.session(env.db_path) as c:
        auth.create_user(c, "kim", "분석", None, "correct-horse", settings=env, now=T0)
        yield c


@pytest.fixture
def verifications(monkeypatch):
    """Counts calls to argon2's PasswordHasher.verify (the real one still runs)."""
    calls: list[str] = []
    real = PasswordHasher.verify

    def counting(self, hash, password):
        calls.append(hash)
        return real(self, hash, password)

    monkeypatch.setattr(PasswordHasher, "verify", counting)
    return calls


def _attempt(con, env, username: str, password: str, at: datetime = T0) -> None:
    with pytest.raises(auth.AuthError):
        auth.authenticate(con, username, password, at, env)


def test_unknown_user_costs_one_verification(con, env, verifications):
    _attempt(con, env, "nobody", "whatever-pw")
    assert len(verifications) == 1


def test_known_user_with_a_wrong_password_costs_one_verification(con, env, verifications):
    _attempt(con, env, "kim", "wrong-password")
    assert len(verifications) == 1


def test_unknown_and_known_users_cost_the_same_verifications(con, env, verifications):
    _attempt(con, env, "kim", "wrong-password")
    known = len(verifications)
    _attempt(con, env, "nobody", "wrong-password", T0 + timedelta(seconds=1))
    assert len(verifications) - known == known == 1


def test_locked_account_still_costs_one_verification(con, env, verifications):
    for i in range(auth.rules(env)["max_failures"]):
        _attempt(con, env, "kim", "wrong-password", T0 + timedelta(seconds=i))
    verifications.clear()
    with pytest.raises(auth.AuthError, match="잠겼습니다"):
        auth.authenticate(con, "kim", "correct-horse", T0 + timedelta(minutes=1), env)
    assert len(verifications) == 1


def test_disabled_account_costs_one_verification(con, env, verifications):
    auth.create_user(con, "lee", "분석", None, "another-horse", settings=env, now=T0)
    auth.update_user(con, "lee", role="분석", department=None, active=False, settings=env)
    _attempt(con, env, "lee", "another-horse")
    assert len(verifications) == 1


def test_unknown_user_is_checked_against_an_argon2_hash_of_the_same_kind(con, env, verifications):
    _attempt(con, env, "kim", "wrong-password")
    _attempt(con, env, "nobody", "wrong-password", T0 + timedelta(seconds=1))
    known, dummy = verifications
    assert dummy != known
    assert dummy.split("$")[1:4] == known.split("$")[1:4]  # same algorithm, version and cost parameters


def test_right_password_still_signs_in_after_unknown_attempts(con, env, verifications):
    _attempt(con, env, "nobody", "correct-horse")
    assert auth.authenticate(con, "kim", "correct-horse", T0 + timedelta(seconds=1), env).username == "kim"
