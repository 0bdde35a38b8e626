"""What a user reads on a page run by AppTest, and what must never be there: None, nan, TRUE/FALSE,
English identifiers (snake_case names, columns named like code, a lone English word as a label),
a missing cell shown without the table's placeholder."""

from __future__ import annotations

import json
import re
from collections.abc import Iterable

import pandas as pd

RAW_WORDS = re.compile(r"(?<![A-Za-z])(None|nan|NaN|NaT|True|False|TRUE|FALSE|<NA>)(?![A-Za-z])")
IDENTIFIER = re.compile(r"(?<![A-Za-z0-9_./-])[a-z][a-z0-9]*_[a-z0-9_]+(?![A-Za-z0-9_])")
BARE_NAME = re.compile(r"^[a-z][a-z0-9_]*$")  # a column named like code: n, voc_id, score
WORD = re.compile(r"(?<![A-Za-z])[a-z]{3,}(?![A-Za-z])")  # a lone English word in a short label: survey, kpi
# meant to be read as written: settings references for the administrator ("설정 [kpi] cap", "설정
# pcsi.area_weights"), code spans (`python -m etl demo`), addresses and file names
ALLOWED = [
    re.compile(p)
    for p in (
        r"`[^`]*`",
        r"\\?\[[a-z_.]+\\?\](\s+[a-z_]+)?",
        r"설정\s+[a-z_.]+",
        r"https?://\S+",
        r"[^\s·]+\.(xlsx|xls|csv|toml|duckdb|json)\b",
    )
]
TEXT_KINDS = ("title", "header", "subheader", "markdown", "caption", "info", "warning", "success", "error")


class Scan:
    def __init__(self, names: Iterable[str] = ()):
        self.names = sorted((n for n in names if n), key=len, reverse=True)
        self.found: list[str] = []

    def text(self, where: str, text: str, *, label: bool = False) -> None:
        """`label`: a short value (a cell, an option) where one lowercase English word is an identifier."""
        text = str(text)
        for pattern in ALLOWED:
            text = pattern.sub(" ", text)
        for name in self.names:
            text = text.replace(name, " ")
        words = RAW_WORDS.findall(text) + IDENTIFIER.findall(text)
        if label and len(text) <= 40:
            words += WORD.findall(text)
        self.found += [f"{where}: {w!r} in {text[:120]!r}" for w in words]

    def frame(self, where: str, df: pd.DataFrame, placeholder: str) -> None:
        for col in df.columns:
            name = str(col)
            if BARE_NAME.match(name) or IDENTIFIER.search(name):
                self.found.append(f"{where}: column named like code {name!r}")
            s = df[col]
            if pd.api.types.is_bool_dtype(s.dtype):
                self.found.append(f"{where}: column {name!r} of True/False (예/아니오 expected)")
                continue
            if s.isna().any() and not placeholder:
                self.found.append(f"{where}: column {name!r} has missing cells and the table no placeholder")
            if s.dtype == object or pd.api.types.is_string_dtype(s.dtype):
                for v in s.dropna().unique()[:2000]:
                    if isinstance(v, bool):
                        self.found.append(f"{where}: {name!r} holds {v!r}")
                    elif isinstance(v, str):
                        self.text(f"{where} {name!r}", v, label=True)


def problems(at, names: Iterable[str] = ()) -> list[str]:
    """Everything wrong with what the page shows, as readable lines (empty when the page is clean).
    `names`: data written as its owner typed it (user names such as test-관리자), not identifiers."""
    scan = Scan(names)
    for kind in TEXT_KINDS:
        for e in getattr(at, kind):
            scan.text(kind, e.value)
    for m in at.metric:
        for part in (m.label, m.value, m.delta or "", m.help or ""):
            scan.text(f"metric {m.label!r}", part)
    for i, d in enumerate(at.dataframe):
        scan.frame(f"table {i}", d.value, d.proto.placeholder)
        for c in json.loads(d.proto.columns or "{}").values():
            scan.text(f"table {i} header", c.get("label") or "")
    for kind in ("selectbox", "multiselect", "radio"):
        for w in getattr(at, kind):
            for o in getattr(w, "options", []):
                scan.text(f"{kind} {w.label!r}", str(o), label=True)
    return scan.found


def account_names(db_path) -> list[str]:
    """Every user name and loader name in the database: they may appear on a page as they are."""
    from ccm import db

    with db.session(db_path) as con:
        sql = (
            "SELECT username FROM users UNION SELECT loaded_by FROM load_batches WHERE loaded_by IS NOT NULL"
        )
        return [r[0] for r in con.execute(sql).fetchall()] + ["pytest"]
