"""Values read from the page address (URL query parameters). Anyone can type any address, so every
value is checked: a bad one gives a Korean warning naming the value and what is allowed, and the
page goes on with its default — never a traceback."""

from __future__ import annotations

import re
from collections.abc import Collection

import streamlit as st

from ccm.safe_text import md

SHOWN_CHARS = 20
_WHOLE_NUMBER = re.compile(r"\d{1,9}")


def int_param(
    name: str, label: str, default: int, allowed: Collection[int], allowed_text: str, fallback: str
) -> int:
    """The whole number `name` from the address if it is one of `allowed`; else `default` (with a
    warning when the address gave something else). `allowed_text`, `fallback`: Korean, for the warning
    ("2021~2026", "2025년을 보여 줍니다.")."""
    raw = st.query_params.get(name)
    if raw is None:
        return default
    text = raw.strip()
    if _WHOLE_NUMBER.fullmatch(text) and int(text) in allowed:
        return int(text)
    warn(label, raw, allowed_text, fallback)
    return default


def choice_param(name: str, label: str, choices: dict[str, str], default: str, fallback: str) -> str:
    """One of `choices` (address value → Korean meaning) or `default` (with a warning for any other value)."""
    raw = st.query_params.get(name)
    if raw is None:
        return default
    if raw.strip() in choices:
        return raw.strip()
    allowed = " 또는 ".join(f"{value}({meaning})" for value, meaning in choices.items())
    warn(label, raw, allowed, fallback)
    return default


def warn(label: str, raw: str, allowed_text: str, fallback: str) -> None:
    st.warning(
        f"주소에 적힌 {label} {shown(raw)}은(는) 쓸 수 없습니다(허용: {allowed_text}). {fallback}",
        icon=":material/link_off:",
    )


def shown(raw: str) -> str:
    """The value as typed, quoted and markdown-safe; long values cut; an empty value named as such."""
    if not raw.strip():
        return "(빈 값)"
    cut = raw if len(raw) <= SHOWN_CHARS else raw[:SHOWN_CHARS] + "…"
    return f"'{md(cut)}'"
