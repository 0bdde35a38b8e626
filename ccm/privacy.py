"""Personal data never reaches the store in clear: keyed hashes for identities, masks inside text."""
from __future__ import annotations

import hashlib
import hmac
import re

import pandas as pd

# Resident registration number (주민등록번호): YYMMDD-[1-8]xxxxxx, with or without the hyphen.
RRN = r"(?<!\d)\d{2}(?:0[1-9]|1[0-2])(?:0[1-9]|[12]\d|3[01])\s?[-–]?\s?[1-8](?:\d{6}|\*{6})(?!\d)"
# Korean phone numbers: mobile 01x, area codes 02/0xx, 070, 1588-style, optional +82, with - . or spaces.
PHONE = (
    r"(?<!\d)(?:(?:\+?82[-.\s]?0?|0)(?:1[016789]|2|[3-6][1-5]|70|50\d?)[-.\s)]?\d{3,4}[-.\s]?\d{4}"
    r"|1[5689]\d{2}[-.\s]?\d{4})(?!\d)"
)
EMAIL = r"[A-Za-z0-9._%+\-]+@[A-Za-z0-9.\-]+\.[A-Za-z]{2,}"

MASKS = [(RRN, "[주민번호]"), (EMAIL, "[이메일]"), (PHONE, "[전화번호]")]
_COMPILED = [(re.compile(p), m) for p, m in MASKS]


def mask_text(text: str | None) -> str | None:
    """Mask phone numbers, e-mail addresses and resident registration numbers inside free text."""
    if text is None:
        return None
    for pattern, mask in _COMPILED:
        text = pattern.sub(mask, text)
    return text


def mask_series(s: pd.Series) -> pd.Series:
    """Vectorised mask_text over a column (regex engine of the column's string dtype)."""
    out = s.astype("string")
    for pattern, mask in MASKS:
        out = out.str.replace(pattern, mask, regex=True)
    return out


def keyed_hash(value: str | None, key: bytes) -> str | None:
    """HMAC-SHA256 of a normalised identity (spaces, hyphens, case ignored); None for blanks."""
    if value is None:
        return None
    norm = re.sub(r"[\s\-.()]", "", str(value)).lower()
    if not norm or norm in {"nan", "none"}:
        return None
    return hmac.new(key, norm.encode("utf-8"), hashlib.sha256).hexdigest()[:32]


def hash_series(s: pd.Series, key: bytes) -> pd.Series:
    uniques = {v: keyed_hash(v, key) for v in pd.unique(s.dropna().astype(str))}
    return s.map(lambda v: None if pd.isna(v) else uniques[str(v)]).astype("string")
