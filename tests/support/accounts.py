"""Signing test users in for page tests, through the same account store and session state as the login form."""

from __future__ import annotations

from functools import lru_cache

from streamlit.testing.v1 import AppTest

from ccm import auth, db
from ccm.settings import Settings
from ui.auth import SESSION_KEY, clock

TEST_PASSWORD = "test-password-123"


@lru_cache(maxsize=1)
def test_password_hash() -> str:
    """One argon2 hash per run (hashing costs ~0.1 s; page tests create many accounts)."""
    return auth.hash_password(TEST_PASSWORD)


def ensure_account(settings: Settings, username: str, role: str, department: str | None) -> None:
    """Create (or update) the account in the test database."""
    with db.session(settings.db_path) as con:
        if auth.get_account(con, username) is None:
            auth.create_user(
                con,
                username,
                role,
                department,
                settings=settings,
                by="pytest",
                password_hash=test_password_hash(),
            )
        else:
            auth.update_user(con, username, role=role, department=department, active=True, settings=settings)


def sign_in(at: AppTest, settings: Settings, role: str, department: str | None = None) -> str:
    """Create the user and mark the AppTest session signed in as `ui.auth.sign_in` does after a login."""
    if role == "부서" and not department:
        department = settings.departments[0]
    username = f"test-{role}" + (f"-{department}" if role == "부서" else "")
    ensure_account(settings, username, role, department)
    with db.session(settings.db_path) as con:
        token = auth.create_session(con, username, clock(), settings)
    at.session_state[SESSION_KEY] = {"username": username, "token": token}
    return username
