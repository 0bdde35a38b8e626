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

import re
import tomllib
import unicodedata
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from etl.headers import classify
from etl.parsing import parse_datetimes
from etl.readers import ReadError, header_keys, normalise_header

FIELD_LABELS = {
    "voc_id": "접수번호",
    "received_at": "접수일시",
    "received_time": "접수시간",
    "completed_at": "처리일시",
    "completed_time": "처리시각",
    "voc_type": "유형",
    "channel": "접수채널",
    "department": "처리부서",
    "facility": "시설",
    "status": "처리상태",
    "title": "제목",
    "content": "내용",
    "answer": "처리내용",
    "customer_key": "고객키",
}
REQUIRED = ("voc_id", "received_at", "voc_type")
VALUE_FIELDS = ("voc_type", "channel", "department", "facility", "status")
SPECIAL_TARGETS = ("drop", "hash", "ignore")


@dataclass(frozen=True)
class MappingFile:
    """A user's mapping: source header → field; per field, source value → canonical value; constants
    for fields the file lacks; a date format per date field."""

    columns: dict[str, str] = field(default_factory=dict)
    values: dict[str, dict[str, str]] = field(default_factory=dict)
    name: str | None = None
    defaults: dict[str, str] = field(default_factory=dict)
    formats: dict[str, str] = field(default_factory=dict)


DATE_FIELDS = ("received_at", "completed_at", "received_time", "completed_time")


def _table(raw: dict, key: str, name: str) -> dict[str, str]:
    """A [key] table of strings, or ReadError naming what is wrong with it."""
    t = raw.get(key, {})
    if not isinstance(t, dict):
        raise ReadError(f"{name}: [{key}]는 표(머리글 = 값 목록)여야 합니다.")
    bad = [k for k, v in t.items() if not isinstance(v, str)]
    if bad:
        raise ReadError(f"{name}: [{key}]의 값은 따옴표로 감싼 글자여야 합니다: {bad[0]}")
    return dict(t)


def parse_mapping(text: str, name: str = "매핑 파일", settings=None) -> MappingFile:
    """Parse a mapping file. With settings, every target value is checked against the standard lists
    (a wrong one is a ReadError naming the value and the allowed ones)."""
    try:
        raw = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ReadError(f"{name}: TOML 형식이 아닙니다({exc}).") from None
    unknown_tables = [k for k in raw if k not in ("columns", "values", "defaults", "formats")]
    if unknown_tables:
        raise ReadError(
            f"{name}: [{unknown_tables[0]}] 표는 쓰지 않습니다(가능: columns, values, defaults, formats)."
        )
    columns = _table(raw, "columns", name)
    bad = [f"{k} = {v}" for k, v in columns.items() if v not in FIELD_LABELS and v not in SPECIAL_TARGETS]
    if bad:
        allowed = ", ".join([*FIELD_LABELS, *SPECIAL_TARGETS])
        raise ReadError(
            f"{name}: [columns]의 대상 필드를 알 수 없습니다: {'; '.join(bad)} (가능한 값: {allowed})."
        )
    values = raw.get("values", {})
    if not isinstance(values, dict) or any(not isinstance(v, dict) for v in values.values()):
        raise ReadError(f'{name}: [values.필드] 표로 적어 주세요(예: [values.voc_type] "기타불편" = "불만").')
    unknown = [k for k in values if k not in VALUE_FIELDS]
    if unknown:
        raise ReadError(
            f"{name}: [values.{unknown[0]}]는 지원하지 않습니다(가능: {', '.join(VALUE_FIELDS)})."
        )
    vals = {f: _table(values, f, f"{name} [values]") for f in VALUE_FIELDS}
    defaults = _table(raw, "defaults", name)
    bad = [k for k in defaults if k not in VALUE_FIELDS]
    if bad:
        raise ReadError(
            f"{name}: [defaults]로 정할 수 있는 필드는 {', '.join(VALUE_FIELDS)}입니다({bad[0]})."
        )
    formats = _table(raw, "formats", name)
    bad = [k for k in formats if k not in DATE_FIELDS]
    if bad:
        raise ReadError(f"{name}: [formats]로 정할 수 있는 필드는 {', '.join(DATE_FIELDS)}입니다({bad[0]}).")
    result = MappingFile(columns, vals, name, defaults, formats)
    if settings is not None:
        check_targets(result, settings)
    return result


def standard_values(settings, field_: str) -> list[str]:
    """The canonical values a field may take (the lists in settings.toml)."""
    return {
        "voc_type": lambda: list(settings.voc.types),
        "channel": lambda: list(settings.voc.channels),
        "status": lambda: list(settings.voc.statuses),
        "department": lambda: list(settings.departments),
        "facility": lambda: list(settings.facilities),
    }[field_]()


def check_targets(mapping: MappingFile, settings) -> None:
    """Every [values.*] target and [defaults] value must be a standard value of its field."""
    pairs = [
        (f, f'[values.{f}] "{src}"', v) for f, table in mapping.values.items() for src, v in table.items()
    ]
    pairs += [(f, f"[defaults] {f}", v) for f, v in mapping.defaults.items()]
    for f, where, target in pairs:
        allowed = standard_values(settings, f)
        if target not in allowed:
            raise ReadError(
                f'{mapping.name}: {where} = "{target}"는 표준 {FIELD_LABELS[f]} 값이 아닙니다 '
                f"(가능한 값: {', '.join(allowed)}). 설정(settings.toml)에 없는 값은 적재할 수 없습니다."
            )


def load_mapping(path: str | Path, settings=None) -> MappingFile:
    p = Path(path)
    try:
        text = p.read_text(encoding="utf-8-sig")
    except (FileNotFoundError, IsADirectoryError):
        raise ReadError(f"매핑 파일이 없습니다: {p}") from None
    except UnicodeDecodeError:
        raise ReadError(f"{p.name}: 매핑 파일은 UTF-8로 저장해 주세요.") from None
    except OSError as exc:
        raise ReadError(f"매핑 파일을 읽을 수 없습니다: {p} ({exc.strerror})") from None
    return parse_mapping(text, p.name, settings)


@dataclass
class ColumnPlan:
    """Where each field comes from, and what happens to every other column."""

    fields: dict[str, str]  # field → source header
    drop: list[str]  # identity columns not stored
    hash: list[str]  # identity columns stored only as customer_key
    unmapped: list[str]  # ignored columns
    defaults: dict[str, str] = field(default_factory=dict)  # field → constant from the mapping file
    notes: list[str] = field(default_factory=list)  # decisions worth telling the user

    def missing(self) -> list[str]:
        return [f for f in REQUIRED if f not in self.fields and f not in self.defaults]

    def as_dict(self) -> dict:
        return {
            "fields": dict(self.fields),
            "drop": list(self.drop),
            "hash": list(self.hash),
            "unmapped": list(self.unmapped),
            "defaults": dict(self.defaults),
            "notes": list(self.notes),
        }

    def table(self) -> pd.DataFrame:
        """For display: source header → what the loader does with it."""
        rows = [(src, FIELD_LABELS[f]) for f, src in self.fields.items()]
        rows += [("(없음)", f"{FIELD_LABELS[f]} = {v} (매핑 파일 기본값)") for f, v in self.defaults.items()]
        rows += [(c, "저장하지 않음(개인정보)") for c in self.drop]
        rows += [(c, "키 해시로만 저장(고객 식별키)") for c in self.hash]
        rows += [(c, "쓰지 않음") for c in self.unmapped]
        return pd.DataFrame(rows, columns=["원본 열", "적재 방식"])


def _alias_ranks(settings) -> dict[str, tuple[str, int]]:
    """normalised alias → (field, rank); a lower rank wins when two columns claim one field."""
    index: dict[str, tuple[str, int]] = {}
    for f, aliases in settings.voc.columns.items():
        for rank, alias in enumerate([*aliases, f]):
            index.setdefault(normalise_header(alias), (f, rank))
    return index


MEANING_RANK = 100  # a header understood from its parts ranks after every listed spelling
DEMOTED = 1000  # a running number 1..n, or a date column whose values are not dates


def recognises(settings, mapping: MappingFile | None = None) -> Callable[[str], bool]:
    """header → whether the VOC loader understands it (for finding the header row)."""
    names = {normalise_header(n) for n in known_headers(settings, mapping)}
    return lambda h: any(k in names for k in header_keys(h)) or classify(h) is not None


def known_headers(settings, mapping: MappingFile | None = None) -> list[str]:
    """Every header spelling listed in settings or the mapping file."""
    names = [a for aliases in settings.voc.columns.values() for a in aliases]
    names += list(settings.privacy.drop_columns) + list(settings.privacy.hash_columns)
    return names + list(mapping.columns if mapping else [])


def _claim(h: str, keys: list[str], aliases, user, drop_names, hash_names) -> tuple[str, int] | None:
    """(target, rank) for one header: the user's mapping, a listed spelling, an identity column, its meaning."""
    target = next((user[k] for k in keys if k in user), None)
    if target is not None:
        return target, -1
    if normalise_header(FIELD_LABELS["customer_key"]) in keys:  # the key column of our own rejects file
        return "customer_key", -1
    hit = next((aliases[k] for k in keys if k in aliases), None)
    if hit:
        return hit
    if any(n and n in k for k in keys for n in drop_names):
        return "drop", 0
    if any(n and n in k for k in keys for n in hash_names):
        return "hash", 0
    meant = classify(h)
    return (meant[0], MEANING_RANK + 2 - meant[1]) if meant else None


def detect_columns(
    headers: Iterable[str], settings, mapping: MappingFile | None = None, df: pd.DataFrame | None = None
) -> ColumnPlan:
    """Which column is which field. With the rows (`df`), a date column understood from its header
    must hold dates, and a running number 1..n is 접수번호 only when nothing else can be."""
    aliases = _alias_ranks(settings)
    user = {normalise_header(k): v for k, v in (mapping.columns if mapping else {}).items()}
    drop_names = [normalise_header(x) for x in settings.privacy.drop_columns]
    hash_names = [normalise_header(x) for x in settings.privacy.hash_columns]
    candidates: dict[str, list[tuple[int, int, str]]] = {}
    drop, hash_, unmapped, notes = [], [], [], []
    for order, h in enumerate(headers):
        claim = _claim(h, header_keys(h), aliases, user, drop_names, hash_names)
        if claim is None or claim[0] == "ignore":
            unmapped.append(h)
        elif claim[0] in ("drop", "hash"):
            (drop if claim[0] == "drop" else hash_).append(h)
        else:
            target = _by_values(claim[0], claim[1], h, df, settings)
            candidates.setdefault(target, []).append((claim[1], order, h))
    fields = {}
    for f, cands in candidates.items():
        if len(cands) > 1:
            cands = [(_checked_rank(f, r, h, df, notes), o, h) for r, o, h in cands]
        cands.sort()
        rank, _, chosen = cands[0]
        if (
            f in ("received_at", "completed_at")
            and MEANING_RANK <= rank < DEMOTED
            and df is not None
            and not _mostly_dates(df[chosen])
        ):
            notes.append(
                f"'{chosen}' 열은 이름은 {FIELD_LABELS[f]} 같지만 값이 날짜가 아니어서 쓰지 않았습니다"
            )
            unmapped += [h for _, _, h in cands]
            continue
        fields[f] = chosen
        unmapped += [h for _, _, h in cands[1:]]
    for when in ("received", "completed"):  # a lone 접수시각 column holds the whole date and time
        if f"{when}_time" in fields and f"{when}_at" not in fields:
            fields[f"{when}_at"] = fields.pop(f"{when}_time")
    defaults = {f: v for f, v in (mapping.defaults if mapping else {}).items() if f not in fields}
    fields = {f: fields[f] for f in FIELD_LABELS if f in fields}
    order = {h: i for i, h in enumerate(headers)}
    return ColumnPlan(fields, drop, hash_, sorted(unmapped, key=order.get), defaults, notes)


CODED = ("voc_type", "channel", "status")


def _by_values(f: str, rank: int, header: str, df: pd.DataFrame | None, settings) -> str:
    """A header understood only by meaning (접수구분, 구분) may name a type, a channel or a status: the
    column's own values decide when most of them are the standard values of another of the three."""
    if f not in CODED or rank < MEANING_RANK or df is None or header not in df.columns:
        return f
    distinct = df[header].dropna().astype("string").unique()[:200]
    if not len(distinct):
        return f
    hits = {g: sum(value_lookup(settings, g)(v) is not None for v in distinct) for g in CODED}
    best = max(CODED, key=lambda g: (hits[g], g == f))
    return best if hits[best] > hits[f] and hits[best] * 2 >= len(distinct) else f


def _checked_rank(f: str, rank: int, header: str, df: pd.DataFrame | None, notes: list[str]) -> int:
    if df is None or rank < 0 or header not in df.columns:
        return rank
    if f == "voc_id" and _running_numbers(df[header]):
        notes.append(f"'{header}' 열은 1부터 차례로 매긴 순번이라, 다른 접수번호 열이 있으면 그 열을 씁니다")
        return rank + DEMOTED
    if f in ("received_at", "completed_at") and not _mostly_dates(df[header]):
        return rank + DEMOTED
    return rank


def _running_numbers(s: pd.Series) -> bool:
    """1, 2, 3 … n (or n … 1) down the column: a row counter, not an identifier."""
    head = pd.to_numeric(s.head(50).dropna(), errors="coerce")
    if len(head) < 3 or head.isna().any() or abs(float(head.iloc[-1] - head.iloc[0])) != len(head) - 1:
        return False
    import pyarrow as pa
    import pyarrow.compute as pc

    try:
        v = pc.cast(pc.utf8_trim_whitespace(pa.array(s.dropna(), pa.string())), pa.int64()).to_numpy()
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
        return False
    return len(v) >= 3 and bool(
        (v == np.arange(1, len(v) + 1)).all() or (v == np.arange(len(v), 0, -1)).all()
    )


def _mostly_dates(s: pd.Series, sample: int = 200) -> bool:
    values = s.dropna().head(sample)
    return len(values) == 0 or parse_datetimes(values.reset_index(drop=True)).notna().mean() >= 0.5


def value_key(v: object) -> str:
    s = unicodedata.normalize("NFKC", str(v)).lower()
    return re.sub(r"[\s\W_]+", "", s)


def value_lookup(settings, field_: str, mapping: MappingFile | None = None) -> Callable[[str], str | None]:
    """source value → canonical value (None if unknown) for one field."""
    table: dict[str, str] = {}
    if field_ == "voc_type":
        groups = settings.voc.types
    elif field_ == "channel":
        groups = settings.voc.channels
    elif field_ == "status":
        groups = settings.voc.statuses
    elif field_ == "department":
        groups = {d: [] for d in settings.departments}
        for alias, dept in settings.organisation.department_aliases.items():
            groups.setdefault(dept, []).append(alias)
    elif field_ == "facility":
        groups = {f: [] for f in settings.facilities}
        for alias, fac in settings.organisation.facility_aliases.items():
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
