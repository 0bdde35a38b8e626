"""Who is using the dashboard. Placeholder until access control lands: everyone is 관리자.

Contract for pages (stays when real login arrives): `current_user()` returns the signed-in User or
stops the script after showing the login form; `require(user, roles)` stops with a refusal.
"""
from __future__ import annotations

from dataclasses import dataclass

import streamlit as st

ROLES = ("관리자", "분석", "열람", "부서")


@dataclass(frozen=True)
class User:
    username: str
    role: str
    department: str | None = None

    @property
    def can_see_texts(self) -> bool:
        """Item-level texts (VOC titles and contents) are for 관리자, 분석 and 부서 (own department)."""
        return self.role in ("관리자", "분석", "부서")

    @property
    def is_admin(self) -> bool:
        return self.role == "관리자"


def current_user() -> User:
    return User(username="local", role="관리자")


def require(user: User, roles: tuple[str, ...] | None) -> None:
    if roles is not None and user.role not in roles:
        st.error(f"이 화면은 {', '.join(roles)} 권한이 있어야 볼 수 있습니다. (현재 권한: {user.role})")
        st.stop()
