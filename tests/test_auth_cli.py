"""python -m etl users ...: run as a real subprocess against the test database."""

import subprocess
import sys
from datetime import datetime

from ccm import audit, auth, db
from ccm.settings import ROOT


def _cli(*args: str, stdin: str = "") -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "etl", "users", *args],
        input=stdin,
        capture_output=True,
        text=True,
        encoding="utf-8",
        cwd=ROOT,
        timeout=60,
    )


def test_add_creates_a_user_who_can_sign_in(env):
    r = _cli("add", "boss", "--role", "관리자", "--password-stdin", stdin="boss-password-1\n")
    assert r.returncode == 0, r.stderr
    with db.session(env.db_path) as con:
        assert auth.authenticate(con, "boss", "boss-password-1", datetime.now(), env).role == "관리자"
        assert audit.query(con, actions=("user_add",))["사용자"].iloc[0].startswith("cli:")


def test_add_refuses_department_role_without_department(env):
    r = _cli("add", "park", "--role", "부서", "--password-stdin", stdin="park-password-1\n")
    assert r.returncode == 2 and "부서를 지정" in r.stderr


def test_passwd_list_and_disable(env):
    _cli("add", "kim", "--role", "분석", "--password-stdin", stdin="kim-password-1\n")
    assert _cli("passwd", "kim", "--password-stdin", stdin="kim-password-2\n").returncode == 0
    assert _cli("disable", "kim").returncode == 0
    listing = _cli("list").stdout
    assert "kim\t분석\t-\t사용 중지\t비밀번호" in listing
    with db.session(env.db_path) as con:
        assert not auth.get_account(con, "kim").active
        stored = con.execute("SELECT password_hash FROM users WHERE username = 'kim'").fetchone()[0]
    assert stored.startswith("$argon2id$")
