"""Local accounts: argon2 password hashes, roles, lockout after repeated failures, session expiry rules,
and sign-in sessions (the token a browser keeps so a refresh or a new tab stays signed in).

Pure Python (no Streamlit). Times are passed in by the caller (`now`), so the rules are testable.
"""

from __future__ import annotations

import functools
import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import duckdb
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from ccm import audit
from ccm.db import transaction
from ccm.settings import Settings
from ccm.settings_sections import AuthSettings

ROLES = ("관리자", "분석", "열람", "부서")
ROLE_HELP = {
    "관리자": "설정·사용자·데이터 올리기·되돌리기, 모든 화면",
    "분석": "모든 분석 화면과 VOC 내용(제목·내용·의견)",
    "열람": "집계만 (VOC 제목·내용·의견은 볼 수 없음)",
    "부서": "자기 부서의 항목만",
}
RULES = (
    "idle_timeout_minutes",
    "max_session_hours",
    "max_failures",
    "lockout_minutes",
    "min_password_length",
)

_hasher = PasswordHasher()


class AuthError(ValueError):
    """A user-facing (Korean) reason why an account operation was refused."""


@dataclass(frozen=True)
class Account:
    username: str
    role: str
    department: str | None
    active: bool
    has_password: bool


def rules(settings: Settings | None) -> dict[str, int]:
    """The [auth] login and session rules (their defaults without settings)."""
    section = settings.auth if settings is not None else AuthSettings()
    return {k: getattr(section, k) for k in RULES}


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def validate_account(
    username: str, role: str, department: str | None, departments: list[str] | None = None
) -> None:
    if not username or not username.strip() or len(username) > 64 or any(c.isspace() for c in username):
        raise AuthError("사용자 이름은 1~64자이고 공백이 없어야 합니다.")
    if role not in ROLES:
        raise AuthError(f"권한은 {', '.join(ROLES)} 중 하나여야 합니다: '{role}'")
    if role == "부서" and not department:
        raise AuthError("부서 권한 사용자는 부서를 지정해야 합니다.")
    if department and departments is not None and department not in departments:
        raise AuthError(f"설정에 없는 부서입니다: '{department}' (설정의 부서: {', '.join(departments)})")


def validate_password(password: str, settings: Any = None) -> None:
    n = rules(settings)["min_password_length"]
    if len(password or "") < n:
        raise AuthError(f"비밀번호는 {n}자 이상이어야 합니다.")


def user_count(con: duckdb.DuckDBPyConnection) -> int:
    return con.execute("SELECT count(*) FROM users").fetchone()[0]


def active_admin_count(con: duckdb.DuckDBPyConnection) -> int:
    return con.execute("SELECT count(*) FROM users WHERE role = '관리자' AND active").fetchone()[0]


def get_account(con: duckdb.DuckDBPyConnection, username: str) -> Account | None:
    row = con.execute(
        "SELECT username, role, department, active, password_hash IS NOT NULL FROM users WHERE username = ?",
        [username],
    ).fetchone()
    return Account(*row) if row else None


def account_by_email(con: duckdb.DuckDBPyConnection, email: str) -> Account | None:
    row = con.execute(
        """SELECT username, role, department, active, password_hash IS NOT NULL FROM users
           WHERE lower(oidc_email) = lower(?) OR lower(username) = lower(?) ORDER BY oidc_email IS NULL LIMIT 1""",
        [email, email],
    ).fetchone()
    return Account(*row) if row else None


def list_users(con: duckdb.DuckDBPyConnection):
    return con.execute(
        """SELECT username AS 사용자, role AS 권한, department AS 부서, active AS 사용,
                  password_hash IS NOT NULL AS 비밀번호, oidc_email AS SSO_이메일,
                  created_at AS 생성일시, password_changed_at AS 비밀번호_변경일시
           FROM users ORDER BY username"""
    ).df()


def create_user(
    con: duckdb.DuckDBPyConnection,
    username: str,
    role: str,
    department: str | None = None,
    password: str | None = None,
    *,
    settings: Any = None,
    by: str | None = None,
    oidc_email: str | None = None,
    now: datetime | None = None,
    password_hash: str | None = None,
) -> Account:
    """Add an account. A password is optional only for single sign-on accounts (oidc_email);
    `password_hash` takes an argon2 hash made elsewhere (e.g. an account moved from another server)."""
    username = (username or "").strip()
    departments = settings.departments if settings is not None else None
    validate_account(username, role, department, departments)
    if password is None and not password_hash and not oidc_email:
        raise AuthError("비밀번호 또는 SSO 이메일 중 하나는 있어야 합니다.")
    if password is not None:
        validate_password(password, settings)
    if get_account(con, username):
        raise AuthError(f"이미 있는 사용자입니다: '{username}'")
    now = now or datetime.now()
    pw_hash = hash_password(password) if password is not None else password_hash
    with transaction(con):
        con.execute(
            "INSERT INTO users (username, role, department, password_hash, oidc_email, password_changed_at, created_at)"
            " VALUES (?, ?, ?, ?, ?, ?, ?)",
            [
                username,
                role,
                department if role == "부서" or department else None,
                pw_hash,
                oidc_email,
                now if pw_hash else None,
                now,
            ],
        )
        audit.record(
            con, by or username, "user_add", f"{username} ({role}{', ' + department if department else ''})"
        )
    return get_account(con, username)


def set_password(
    con: duckdb.DuckDBPyConnection,
    username: str,
    password: str,
    *,
    settings: Any = None,
    by: str | None = None,
    now: datetime | None = None,
) -> None:
    """New password; every open session of the account ends (a stolen session must not outlive the reset)."""
    _require_account(con, username)
    validate_password(password, settings)
    now = now or datetime.now()
    with transaction(con):
        con.execute(
            "UPDATE users SET password_hash = ?, password_changed_at = ? WHERE username = ?",
            [hash_password(password), now, username],
        )
        revoke_sessions(con, username, now, "password_change")
        audit.record(con, by or username, "password_change", username)


def update_user(
    con: duckdb.DuckDBPyConnection,
    username: str,
    *,
    role: str,
    department: str | None,
    active: bool,
    settings: Any = None,
    by: str | None = None,
    now: datetime | None = None,
) -> None:
    """Change role, department or active flag; the last active 관리자 cannot be demoted or disabled.
    Disabling an account ends its open sessions."""
    acc = _require_account(con, username)
    validate_account(username, role, department, settings.departments if settings is not None else None)
    losing_admin = acc.role == "관리자" and acc.active and (role != "관리자" or not active)
    if losing_admin and active_admin_count(con) <= 1:
        raise AuthError("마지막 관리자는 권한을 바꾸거나 사용 중지할 수 없습니다.")
    with transaction(con):
        con.execute(
            "UPDATE users SET role = ?, department = ?, active = ? WHERE username = ?",
            [role, department or None, active, username],
        )
        if not active:
            revoke_sessions(con, username, now or datetime.now(), "account_disabled")
        state = "사용" if active else "사용 중지"
        audit.record(con, by or username, "user_change", f"{username}: {role}, {department or '-'}, {state}")


def _require_account(con: duckdb.DuckDBPyConnection, username: str) -> Account:
    acc = get_account(con, username)
    if acc is None:
        raise AuthError(f"없는 사용자입니다: '{username}'")
    return acc


def _failures(
    con: duckdb.DuckDBPyConnection, username: str, now: datetime, settings: Any
) -> tuple[int, datetime | None]:
    """Failed attempts within `lockout_minutes` and after the last success: (count, latest)."""
    window = timedelta(minutes=rules(settings)["lockout_minutes"])
    return con.execute(
        """SELECT count(*), max(attempted_at) FROM login_attempts
           WHERE username = ? AND NOT success AND attempted_at > ?
             AND attempted_at > coalesce((SELECT max(attempted_at) FROM login_attempts
                                          WHERE username = ? AND success), TIMESTAMP '1900-01-01')""",
        [username, now - window, username],
    ).fetchone()


def locked_until(
    con: duckdb.DuckDBPyConnection, username: str, now: datetime, settings: Any = None
) -> datetime | None:
    """When the account unlocks, if `max_failures` failures happened within `lockout_minutes` since
    the last success; None when not locked."""
    r = rules(settings)
    failures, last = _failures(con, username, now, settings)
    if failures >= r["max_failures"]:
        return last + timedelta(minutes=r["lockout_minutes"])
    return None


def authenticate(
    con: duckdb.DuckDBPyConnection, username: str, password: str, now: datetime, settings: Any = None
) -> Account:
    """Check a password; records the attempt (and an audit entry). Raises AuthError with the reason.

    Unknown user and wrong password give the same message (no account discovery), and every attempt
    costs the same work: one argon2 verification, against a dummy hash when there is no usable one
    (unknown, disabled, password-less or locked account), so timing tells nothing either."""
    username = (username or "").strip()
    until = locked_until(con, username, now, settings)
    acc = get_account(con, username)
    usable = until is None and acc is not None and acc.active
    ok = _verify(con, username, _stored_hash(con, username) if usable else None, password)
    if until is not None:
        audit.record(con, username, "login_locked", "잠긴 계정으로 로그인 시도", at=now)
        raise AuthError(f"로그인 실패가 많아 계정이 잠겼습니다. {until:%H:%M} 이후에 다시 시도하세요.")
    _attempt(con, username, now, ok, "login" if ok else "login_failed")
    if not ok:
        left = rules(settings)["max_failures"] - _failures(con, username, now, settings)[0]
        hint = f" (잠기기까지 {left}회 남음)" if 0 < left <= 2 else ""
        if left <= 0:
            hint = f" 계정이 {rules(settings)['lockout_minutes']}분 동안 잠깁니다."
        raise AuthError("사용자 이름 또는 비밀번호가 맞지 않습니다." + hint)
    return acc


def _stored_hash(con: duckdb.DuckDBPyConnection, username: str) -> str | None:
    row = con.execute("SELECT password_hash FROM users WHERE username = ?", [username]).fetchone()
    return row[0] if row else None


@functools.cache
def _dummy_hash() -> str:
    """A hash made with the same parameters as real ones, verified when an account has none."""
    return _hasher.hash(secrets.token_urlsafe(24))


def _verify(con: duckdb.DuckDBPyConnection, username: str, stored: str | None, password: str) -> bool:
    """One argon2 verification whatever `stored` is; False when there is no stored hash."""
    try:
        _hasher.verify(stored or _dummy_hash(), password or "")
    except (VerificationError, InvalidHashError):
        return False
    if stored is None:
        return False
    if _hasher.check_needs_rehash(stored):
        con.execute(
            "UPDATE users SET password_hash = ? WHERE username = ?", [hash_password(password), username]
        )
    return True


def _attempt(
    con: duckdb.DuckDBPyConnection, username: str, now: datetime, success: bool, action: str
) -> None:
    con.execute("INSERT INTO login_attempts VALUES (?, ?, ?)", [username, now, success])
    audit.record(con, username, action, "", at=now)


def record_sso_login(con: duckdb.DuckDBPyConnection, username: str, email: str, now: datetime) -> None:
    con.execute("INSERT INTO login_attempts VALUES (?, ?, TRUE)", [username, now])
    audit.record(con, username, "login", f"SSO {email}", at=now)


def session_expired(
    signed_in_at: datetime, last_seen: datetime, now: datetime, settings: Any = None
) -> str | None:
    """Why a session is no longer valid (Korean), or None while it is."""
    r = rules(settings)
    if now - last_seen > timedelta(minutes=r["idle_timeout_minutes"]):
        return f"{r['idle_timeout_minutes']}분 동안 사용하지 않아 로그아웃되었습니다. 다시 로그인하세요."
    if now - signed_in_at > timedelta(hours=r["max_session_hours"]):
        return f"로그인한 지 {r['max_session_hours']}시간이 지나 로그아웃되었습니다. 다시 로그인하세요."
    return None


# ---- sign-in sessions ---------------------------------------------------------------------------
# The browser keeps a random 256-bit token; the server keeps only its keyed hash, with the account and
# the times the [auth] rules need. A token is good while its row exists, is not revoked and passes
# the idle and absolute limits — checked against the database on every run, never trusted from the
# browser. A token proves nothing by itself: no user name, role or time is inside it to forge.

TOKEN_BYTES = 32
REVOKED = {
    "logout": "로그아웃했습니다.",
    "password_change": "비밀번호가 바뀌어 로그아웃되었습니다. 새 비밀번호로 다시 로그인하세요.",
    "account_disabled": "계정이 사용 중지되어 로그아웃되었습니다. 관리자에게 문의하세요.",
}


@dataclass(frozen=True)
class Session:
    username: str
    created_at: datetime
    last_seen: datetime
    expires_at: datetime
    revoked_at: datetime | None
    revoked_reason: str | None


def token_hash(token: str, key: bytes) -> str:
    """What the database keeps of a token: HMAC-SHA256 under the server's secret key (hex), in its own
    domain so it can never equal a keyed hash of personal data made with the same key."""
    return hmac.new(key, b"ccm-session\0" + token.encode("ascii", "replace"), hashlib.sha256).hexdigest()


def create_session(con: duckdb.DuckDBPyConnection, username: str, now: datetime, settings: Any) -> str:
    """A new session for an account that has just proved who it is; returns the token (shown to no one
    but the browser). Sessions past their absolute limit are deleted on the way."""
    token = secrets.token_urlsafe(TOKEN_BYTES)
    expires = now + timedelta(hours=rules(settings)["max_session_hours"])
    with transaction(con):
        con.execute("DELETE FROM sessions WHERE expires_at < ?", [now])
        con.execute(
            "INSERT INTO sessions (token_hash, username, created_at, last_seen, expires_at) VALUES (?, ?, ?, ?, ?)",
            [token_hash(token, settings.secret_key()), username, now, now, expires],
        )
    return token


def find_session(con: duckdb.DuckDBPyConnection, digest: str) -> Session | None:
    row = con.execute(
        """SELECT username, created_at, last_seen, expires_at, revoked_at, revoked_reason
           FROM sessions WHERE token_hash = ?""",
        [digest],
    ).fetchone()
    return Session(*row) if row else None


def session_problem(
    session: Session | None, now: datetime, settings: Any = None, last_seen: datetime | None = None
) -> str | None:
    """Why a session no longer signs its browser in (Korean), or None while it does. `last_seen` may be
    a later use than the stored one (the server remembers uses between writes)."""
    if session is None:
        return "로그인 정보가 없거나 만료되었습니다. 다시 로그인하세요."
    if session.revoked_at is not None:
        return REVOKED.get(session.revoked_reason or "", "로그인이 취소되었습니다. 다시 로그인하세요.")
    reason = session_expired(
        session.created_at, max(session.last_seen, last_seen or session.last_seen), now, settings
    )
    if (
        reason is None and now >= session.expires_at
    ):  # the limit in force when it began, if settings changed since
        reason = "로그인 유효 시간이 지나 로그아웃되었습니다. 다시 로그인하세요."
    return reason


def touch_session(con: duckdb.DuckDBPyConnection, digest: str, now: datetime) -> None:
    con.execute(
        "UPDATE sessions SET last_seen = greatest(last_seen, ?) WHERE token_hash = ? AND revoked_at IS NULL",
        [now, digest],
    )


def revoke_session(con: duckdb.DuckDBPyConnection, digest: str, now: datetime, reason: str) -> None:
    con.execute(
        "UPDATE sessions SET revoked_at = ?, revoked_reason = ? WHERE token_hash = ? AND revoked_at IS NULL",
        [now, reason, digest],
    )


def revoke_sessions(con: duckdb.DuckDBPyConnection, username: str, now: datetime, reason: str) -> int:
    """End every open session of an account (password change, account disabled); how many ended."""
    ended = con.execute(
        """UPDATE sessions SET revoked_at = ?, revoked_reason = ? WHERE username = ? AND revoked_at IS NULL
           AND expires_at > ? RETURNING token_hash""",
        [now, reason, username, now],
    ).fetchall()
    return len(ended)
