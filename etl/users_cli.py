"""python -m etl users {add,passwd,list,disable,enable} ... — accounts from the server's shell.

Passwords are never command-line arguments (they would show in the process list): they are asked
twice on the terminal, or read from the first line of standard input with --password-stdin.
Exit 0: done; 2: refused (one line saying why).
"""

from __future__ import annotations

import argparse
import getpass
import sys

from ccm import auth, db
from etl import common_cli


def add_arguments(parser: argparse.ArgumentParser) -> None:
    common_cli.add_db_argument(
        parser
    )  # before the action (`users --db X list`) or after it (`users list --db X`)
    sub = parser.add_subparsers(dest="action", required=True)
    add = sub.add_parser("add", help="사용자 추가")
    add.add_argument("username")
    add.add_argument("--role", required=True, choices=auth.ROLES, help="권한")
    add.add_argument("--department", help="부서 (부서 권한은 필수)")
    add.add_argument("--sso-email", help="SSO(통합 로그인) 이메일 — 있으면 비밀번호 없이 만들 수 있음")
    add.add_argument("--no-password", action="store_true", help="SSO 전용 계정 (--sso-email 필요)")
    add.add_argument("--password-stdin", action="store_true", help="비밀번호를 표준 입력 첫 줄에서 읽음")
    pw = sub.add_parser("passwd", help="비밀번호 변경")
    pw.add_argument("username")
    pw.add_argument("--password-stdin", action="store_true", help="비밀번호를 표준 입력 첫 줄에서 읽음")
    sub.add_parser("list", help="사용자 목록")
    for name, help_text in (("disable", "사용 중지"), ("enable", "다시 사용")):
        p = sub.add_parser(name, help=help_text)
        p.add_argument("username")
    for action in sub.choices.values():
        common_cli.add_db_argument(action)


def _password(args: argparse.Namespace) -> str:
    if args.password_stdin:
        return sys.stdin.readline().rstrip("\r\n")
    first = getpass.getpass("비밀번호: ")
    if first != getpass.getpass("비밀번호 확인: "):
        raise auth.AuthError("비밀번호와 비밀번호 확인이 다릅니다.")
    return first


def run(args: argparse.Namespace) -> int:
    settings, db_path = common_cli.settings_and_db(args)
    with db.session(db_path) as con:
        return _ACTIONS[args.action](con, args, settings, by=f"cli:{_os_user()}")


def _add(con, args, settings, by) -> int:
    password = None if args.no_password else _password(args)
    acc = auth.create_user(
        con,
        args.username,
        args.role,
        args.department,
        password,
        settings=settings,
        by=by,
        oidc_email=args.sso_email,
    )
    print(
        f"사용자를 추가했습니다: {acc.username} ({acc.role}{', ' + acc.department if acc.department else ''})"
    )
    return 0


def _passwd(con, args, settings, by) -> int:
    auth.set_password(con, args.username, _password(args), settings=settings, by=by)
    print(f"비밀번호를 바꿨습니다: {args.username}")
    return 0


def _list(con, args, settings, by) -> int:
    users = auth.list_users(con)
    if users.empty:
        print("사용자가 없습니다. `python -m etl users add 이름 --role 관리자` 로 첫 관리자를 만드세요.")
    for r in users.itertuples(index=False):
        state = "사용" if r.사용 else "사용 중지"
        print(f"{r.사용자}\t{r.권한}\t{r.부서 or '-'}\t{state}\t{'비밀번호' if r.비밀번호 else 'SSO 전용'}")
    return 0


def _set_active(active: bool):
    def action(con, args, settings, by) -> int:
        acc = auth.get_account(con, args.username)
        if acc is None:
            raise auth.AuthError(f"없는 사용자입니다: '{args.username}'")
        auth.update_user(
            con,
            acc.username,
            role=acc.role,
            department=acc.department,
            active=active,
            settings=settings,
            by=by,
        )
        print(f"{acc.username}: {'사용' if active else '사용 중지'}")
        return 0

    return action


def _os_user() -> str:
    try:
        return getpass.getuser()
    except Exception:  # noqa: BLE001 - service accounts may have no login name
        return "?"


_ACTIONS = {
    "add": _add,
    "passwd": _passwd,
    "list": _list,
    "disable": _set_active(False),
    "enable": _set_active(True),
}
