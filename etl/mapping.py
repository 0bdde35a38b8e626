"""Which source column is which VOC field, and which source value is which canonical value.

Recognised by meaning from settings (`[voc.columns]`, `[voc.types]`, `[voc.channels]`,
`[voc.statuses]`, `[organisation.*]`, `[privacy]`), overridden by a user's mapping file (TOML):

    [columns]                 # source header = field (or "drop" / "hash" / "ignore")
    "민원 접수 No" = "voc_id"
    [values.voc_type]         # source value = canonical value
    "기타불편" = "불만"
    [values.channel]
    "앱" = "홈페이지"
"""
from __future__ import annotations

import tomllib
import unicodedata
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from etl.readers import ReadError, header_keys, normalise_header

FIELD_LABELS = {
    "voc_id": "접수번호", "received_at": "접수일시", "received_time": "접수시간",
    "completed_at": "처리일시", "completed_time": "처리시각", "voc_type": "유형", "channel": "접수채널",
    "department": "처리부서", "facility": "시설", "status": "처리상태", "title": "제목",
    "content": "내용", "answer": "처리내용",
}
REQUIRED = ("voc_id", "received_at", "voc_type")
VALUE_FIELDS = ("voc_type", "channel", "department", "facility", "status")
SPECIAL_TARGETS = ("drop", "hash", "ignore")


@dataclass(frozen=True)
class MappingFile:
    """A user's mapping: source header → field; per field, source value → canonical value."""

    columns: dict[str, str] = field(default_factory=dict)
    values: dict[str, dict[str, str]] = field(default_factory=dict)
    name: str | None = None


def parse_mapping(text: str, name: str = "매핑 파일") -> MappingFile:
    try:
        raw = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ReadError(f"{name}: TOML 형식이 아닙니다({exc}).") from None
    columns = {str(k): str(v) for k, v in raw.get("columns", {}).items()}
    bad = [f"{k} = {v}" for k, v in columns.items() if v not in FIELD_LABELS and v not in SPECIAL_TARGETS]
    if bad:
        allowed = ", ".join([*FIELD_LABELS, *SPECIAL_TARGETS])
        raise ReadError(f"{name}: [columns]의 대상 필드를 알 수 없습니다: {'; '.join(bad)} (가능한 값: {allowed}).")
    values = raw.get("values", {})
    unknown = [k for k in values if k not in VALUE_FIELDS]
    if unknown:
        raise ReadError(f"{name}: [values.{unknown[0]}]는 지원하지 않습니다(가능: {', '.join(VALUE_FIELDS)}).")
    vals = {f: {str(k): str(v) for k, v in values.get(f, {}).items()} for f in VALUE_FIELDS}
    return MappingFile(columns, vals, name)


def load_mapping(path: str | Path) -> MappingFile:
    p = Path(path)
    try:
        text = p.read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        raise ReadError(f"매핑 파일이 없습니다: {p}") from None
    except UnicodeDecodeError:
        raise ReadError(f"{p.name}: 매핑 파일은 UTF-8로 저장해 주세요.") from None
    return parse_mapping(text, p.name)


@dataclass
class ColumnPlan:
    """Where each field comes from, and what happens to every other column."""

    fields: dict[str, str]            # field → source header
    drop: list[str]                   # identity columns not stored
    hash: list[str]                   # identity columns stored only as customer_key
    unmapped: list[str]               # ignored columns

    def missing(self) -> list[str]:
        return [f for f in REQUIRED if f not in self.fields]

    def as_dict(self) -> dict:
        return {"fields": dict(self.fields), "drop": list(self.drop), "hash": list(self.hash),
                "unmapped": list(self.unmapped)}

    def table(self) -> pd.DataFrame:
        """For display: source header → what the loader does with it."""
        rows = [(src, f"{FIELD_LABELS[f]} ({f})") for f, src in self.fields.items()]
        rows += [(c, "저장하지 않음(개인정보)") for c in self.drop]
        rows += [(c, "키 해시로만 저장(customer_key)") for c in self.hash]
        rows += [(c, "무시(알 수 없는 열)") for c in self.unmapped]
        return pd.DataFrame(rows, columns=["원본 열", "적재 방식"])


def _alias_ranks(settings) -> dict[str, tuple[str, int]]:
    """normalised alias → (field, rank); a lower rank wins when two columns claim one field."""
    index: dict[str, tuple[str, int]] = {}
    for f, aliases in settings["voc"]["columns"].items():
        for rank, alias in enumerate([*aliases, f]):
            index.setdefault(normalise_header(alias), (f, rank))
    return index


def known_headers(settings, mapping: MappingFile | None = None) -> list[str]:
    """Every header spelling the VOC loader recognises (for finding the header row)."""
    names = [a for aliases in settings["voc"]["columns"].values() for a in aliases]
    names += list(settings["privacy"]["drop_columns"]) + list(settings["privacy"]["hash_columns"])
    return names + list(mapping.columns if mapping else [])


def detect_columns(headers: Iterable[str], settings, mapping: MappingFile | None = None) -> ColumnPlan:
    aliases = _alias_ranks(settings)
    user = {normalise_header(k): v for k, v in (mapping.columns if mapping else {}).items()}
    drop_names = [normalise_header(x) for x in settings["privacy"]["drop_columns"]]
    hash_names = [normalise_header(x) for x in settings["privacy"]["hash_columns"]]
    claims: dict[str, tuple[int, str]] = {}
    drop, hash_, unmapped = [], [], []
    for h in headers:
        keys = header_keys(h)
        target = next((user[k] for k in keys if k in user), None)
        if target in FIELD_LABELS:
            claims[target] = (-1, h)
            continue
        if target in ("drop", "hash", "ignore"):
            {"drop": drop, "hash": hash_, "ignore": unmapped}[target].append(h)
            continue
        hit = next((aliases[k] for k in keys if k in aliases), None)
        if hit and (hit[0] not in claims or hit[1] < claims[hit[0]][0]):
            if hit[0] in claims:
                unmapped.append(claims[hit[0]][1])
            claims[hit[0]] = (hit[1], h)
        elif any(n and n in k for k in keys for n in drop_names):
            drop.append(h)
        elif any(n and n in k for k in keys for n in hash_names):
            hash_.append(h)
        else:
            unmapped.append(h)
    fields = {f: src for f, (_, src) in sorted(claims.items(), key=lambda kv: list(FIELD_LABELS).index(kv[0]))}
    return ColumnPlan(fields, drop, hash_, unmapped)


def value_key(v: object) -> str:
    s = unicodedata.normalize("NFKC", str(v)).lower()
    return re.sub(r"[\s\W_]+", "", s)


def value_lookup(settings, field_: str, mapping: MappingFile | None = None) -> Callable[[str], str | None]:
    """source value → canonical value (None if unknown) for one field."""
    table: dict[str, str] = {}
    if field_ == "voc_type":
        groups = settings["voc"]["types"]
    elif field_ == "channel":
        groups = settings["voc"]["channels"]
    elif field_ == "status":
        groups = settings["voc"]["statuses"]
    elif field_ == "department":
        groups = {d: [] for d in settings.departments}
        for alias, dept in settings["organisation"].get("department_aliases", {}).items():
            groups.setdefault(dept, []).append(alias)
    elif field_ == "facility":
        groups = {f: [] for f in settings.facilities}
        for alias, fac in settings["organisation"].get("facility_aliases", {}).items():
            groups.setdefault(fac, []).append(alias)
    else:
        raise KeyError(field_)
    for canonical, aliases in groups.items():
        for a in [canonical, *aliases]:
            table.setdefault(value_key(a), canonical)
    for src, canonical in (mapping.values.get(field_, {}) if mapping else {}).items():
        table[value_key(src)] = canonical
    return lambda v: table.get(value_key(v))


def map_values(s: pd.Series, lookup: Callable[[str], str | None]) -> pd.Series:
    """Apply a lookup once per distinct value (vectorised over the rows); NA where unknown or blank."""
    import pyarrow as pa

    codes, uniques = pd.factorize(s, use_na_sentinel=True)
    mapped = pa.array([None if (v := lookup(u)) is None else str(v) for u in uniques] + [None], pa.string())
    taken = mapped.take(pa.array(np.where(codes < 0, len(uniques), codes)))  # Arrow take: no Python objects
    return pd.Series(pd.arrays.ArrowStringArray(taken), index=s.index, dtype="string")
