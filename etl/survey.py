"""Survey respondent files (PCSI, 교육만족도, 전화친절도 …) → validated answers in the store.

read (etl.readers) → spec (which column is what) → validate (columns, scale, weights, year) →
store in one transaction. Only the columns the spec names are stored: names, contacts and any
other column never reach the database; open comments and respondent IDs are masked.
"""

from __future__ import annotations

import hashlib
import json
import re
import tomllib
import unicodedata
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path
from typing import Protocol

import numpy as np
import pandas as pd

from ccm import pcsi
from ccm.db import transaction
from ccm.privacy import mask_series
from ccm.settings_sections import PcsiSettings
from etl.parsing import parse_datetimes
from etl.readers import ReadError, Table, normalise_header, read_table

SPECS = Path(__file__).resolve().parent / "specs"
DEFAULT_SPEC = SPECS / "pcsi_default.toml"
ITEM_CODE = re.compile(r"^[A-Za-z]{1,2}\d{1,2}(?:[-_.]\d{1,2})?$")  # A1, B12, Q3, Q3_1
DIRECTIONS = {"high_good": "큰 값이 만족(예: 5 = 매우 만족)", "low_good": "작은 값이 만족(1 = 매우 만족)"}


class SurveyError(Exception):
    """The file (or spec) cannot be loaded; nothing was stored. The message is Korean."""


@dataclass(frozen=True)
class Item:
    column: str
    area: str
    label: str = ""
    reverse: bool = False


@dataclass(frozen=True)
class SurveySpec:
    """Which column is what, and how answers are scored. Stored with every batch."""

    survey: str = "PCSI"
    title: str = ""
    year: int = 0  # 0 = from the date column (or --year)
    wave: str = ""
    scale: int = 7
    direction: str = "high_good"  # high_good | low_good (1 = 매우 만족): reverses every item
    missing_codes: tuple[float | str, ...] = (98, 99, "모름", "무응답")
    items: tuple[Item, ...] = ()
    overall_area: str = "전반적만족"
    respondent_id_column: str = ""
    date_column: str = ""
    facility_column: str = ""
    customer_type_column: str = ""
    weight_column: str = ""
    comment_columns: tuple[str, ...] = ()
    demographic_columns: tuple[str, ...] = ()
    ignore_columns: tuple[str, ...] = ()

    @classmethod
    def from_dict(cls, d: dict) -> SurveySpec:
        reverse = {str(c) for c in d.get("reverse_items", ())}
        items = tuple(
            Item(
                str(i["column"]),
                str(i["area"]),
                str(i.get("label", "") or ""),
                bool(i.get("reverse", False)) or str(i["column"]) in reverse,
            )
            for i in d.get("items", ())
        )
        known = {f for f in cls.__dataclass_fields__} | {"reverse_items"}
        unknown = set(d) - known
        if unknown:
            raise SurveyError(f"설문 명세에 모르는 항목이 있습니다: {', '.join(sorted(unknown))}")
        tuples = ("missing_codes", "comment_columns", "demographic_columns", "ignore_columns")
        kw = {
            k: (tuple(v) if k in tuples else v) for k, v in d.items() if k not in ("items", "reverse_items")
        }
        for k in ("year", "scale"):
            if k in kw:
                kw[k] = int(kw[k] or 0)
        return cls(items=items, **kw)

    def to_dict(self) -> dict:
        d = asdict(self)
        d["items"] = [asdict(i) for i in self.items]
        for k in ("missing_codes", "comment_columns", "demographic_columns", "ignore_columns"):
            d[k] = list(d[k])
        return d

    def to_json(self) -> str:
        return json.dumps(self.to_dict(), ensure_ascii=False, sort_keys=True)

    @property
    def low_good(self) -> bool:
        return self.direction == "low_good"

    def reversed_items(self) -> list[bool]:
        """Whether each item's answers are flipped: a reverse-coded item XOR a low_good survey."""
        return [i.reverse != self.low_good for i in self.items]

    @property
    def item_columns(self) -> list[str]:
        return [i.column for i in self.items]

    @property
    def areas(self) -> list[str]:
        return list(dict.fromkeys(i.area for i in self.items))

    def columns(self) -> list[str]:
        """Every file column the spec reads."""
        singles = [
            self.respondent_id_column,
            self.date_column,
            self.facility_column,
            self.customer_type_column,
            self.weight_column,
        ]
        return [
            c for c in [*singles, *self.item_columns, *self.comment_columns, *self.demographic_columns] if c
        ]


def load_spec(path: str | Path | None = None) -> SurveySpec:
    """A spec from a TOML file (the default ministry layout when no path is given)."""
    p = Path(path) if path else DEFAULT_SPEC
    try:
        with open(p, "rb") as fh:
            return SurveySpec.from_dict(tomllib.load(fh))
    except (tomllib.TOMLDecodeError, KeyError, TypeError, ValueError) as exc:
        raise SurveyError(f"설문 명세 파일을 읽을 수 없습니다({p.name}): {exc}") from None


def spec_toml(spec: SurveySpec) -> str:
    """The spec as a TOML document (what the upload page offers to download and reuse)."""
    import tomlkit

    d = spec.to_dict()
    items = d.pop("items")
    doc = tomlkit.document()
    for k, v in d.items():
        doc[k] = v
    arr = tomlkit.aot()
    for i in items:
        arr.append(tomlkit.item(i))
    doc["items"] = arr
    return tomlkit.dumps(doc)


# ---------------------------------------------------------------------------------------------
# Reading and proposing a spec


def read(
    source: str | Path | bytes, name: str | None = None, spec: SurveySpec | None = None, settings=None
) -> Table:
    """The file as a Table of strings; the header row found with the spec's and settings' names."""
    data = Path(source).read_bytes() if not isinstance(source, bytes) else source
    name = name or (Path(source).name if not isinstance(source, bytes) else "upload")
    known = set(spec.columns()) if spec else set()
    if settings is not None:
        for names in settings.pcsi.columns.values():
            known.update(names)
    try:
        table = read_table(data, name, known=known)
    except ReadError as exc:
        raise SurveyError(str(exc)) from None
    if table.df.empty or not len(table.df.columns):
        raise SurveyError(f"{table.file_name}: 응답 행이 없습니다(빈 시트이거나 머리글만 있습니다).")
    return table


def _find(columns: list[str], aliases: list[str]) -> str:
    wanted = [normalise_header(a) for a in aliases]
    norm = {normalise_header(c): c for c in columns}
    for w in wanted:
        if w in norm:
            return norm[w]
    return ""


def _scale_of(values: pd.Series, missing_codes: tuple) -> int:
    """The scale the answers were given on, from the highest value more than 1% of answers used
    (a stray value does not decide it): 0 used → 11 points (0–10); above 7 → 10 points (1–10)
    when 1 was used, else 11; otherwise the smallest of 3, 4, 5, 7 points that holds it."""
    v = values[~values.isin(pcsi.numeric_codes(missing_codes))].dropna()
    v = v[v.between(0, 10) & (v == np.floor(v))]
    if v.empty:
        return 7
    share = v.value_counts(normalize=True)
    used = set(share[share > 0.01].index) or set(share.index)
    top = max(used)
    if 0 in used:
        return 11
    if top > 7:
        return 10 if 1 in used else 11
    return next(k for k in (3, 4, 5, 7) if k >= top)


def _code_of(values: pd.Series, missing_codes: tuple) -> float | None:
    """A lone high value apart from answers that use every point 1..k (1–4 and 9; 1–7 and 9): a
    무응답 code, not a point of the scale."""
    v = values[~values.isin(pcsi.numeric_codes(missing_codes))].dropna()
    used = sorted(set(v[v.between(0, 10) & (v == np.floor(v))]))
    high, rest = [x for x in used if x >= 8], [x for x in used if x < 8]
    full = len(rest) >= 3 and rest == list(range(1, len(rest) + 1))
    return high[0] if full and len(high) == 1 and high[0] - rest[-1] > 1 else None


_INTENSE = r"(?:매우|아주|대단히|전혀)\s*"
_POLE = r"(불만족|불만|만족하지\s*않|만족스럽지\s*않|만족|그렇지\s*않|그렇다)"
_LEGENDS = (
    re.compile(r"(?<![\d.])(10|\d)\s*점?\s*[=:：.)\]-]?\s*" + _INTENSE + _POLE + r"\w*"),
    re.compile(_INTENSE + _POLE + r"\w*\s*[=:：(\[]\s*(10|\d)(?!\d)\s*점?[)\]]?"),
)


def direction_hint(table: Table) -> tuple[str, str]:
    """The direction a scale legend above or in the header states ('1 = 매우 만족' → low_good;
    '5 = 매우 만족' or '1 = 매우 불만족' → high_good; the reading most of its labels agree on) and
    the legend text; ("", "") when there is none or it is undecided."""
    text = " ".join([*table.title_rows, *map(str, table.df.columns)])
    votes: list[tuple[str, str]] = []
    for pattern in _LEGENDS:
        for m in pattern.finditer(text):
            n, pole = (m.group(1), m.group(2)) if m.group(1).isdigit() else (m.group(2), m.group(1))
            good = not (pole.startswith("불") or "않" in pole)
            votes.append(("low_good" if (int(n) <= 1) == good else "high_good", m.group(0).strip()))
    low = sum(v == "low_good" for v, _ in votes)
    if 2 * low == len(votes):
        return "", ""
    best = "low_good" if 2 * low > len(votes) else "high_good"
    return best, next(t for v, t in votes if v == best)


_TOTAL_LABEL = r"(?:전체|총|grand)?(?:합계|소계|총계|누계|계|평균|total|subtotal|sum|average|avg|mean)+"


def total_rows(df: pd.DataFrame, skip: tuple[str, ...] = ()) -> np.ndarray:
    """Rows that are a totals or means row (합계·소계·총계·평균·Total·Average as a whole cell, spaces
    and brackets ignored) in any column but `skip` (free-text comments)."""
    hit = np.zeros(len(df), dtype=bool)
    for c in df.columns:
        if c in skip:
            continue
        s = df[c].astype("string")
        short = (s.str.len() <= 20).fillna(False).to_numpy(dtype=bool)
        if short.any():
            norm = s[short].str.normalize("NFKC").str.lower().str.replace(r"[\s\W_]+", "", regex=True)
            hit[short] |= norm.str.fullmatch(_TOTAL_LABEL).fillna(False).to_numpy(dtype=bool)
    return hit


def drop_total_rows(table: Table, skip: tuple[str, ...] = ()) -> tuple[Table, list[int]]:
    """The table without its totals/means rows, and their row numbers in the file."""
    hit = total_rows(table.df, skip)
    if not hit.any():
        return table, []
    rows = np.asarray(table.rows)
    kept = replace(table, df=table.df[~hit].reset_index(drop=True), rows=rows[~hit])
    return kept, [int(r) for r in rows[hit]]


def _looks_like_item(s: pd.Series, missing_codes: tuple) -> bool:
    num = pd.to_numeric(s, errors="coerce")
    filled = (
        s.notna() & ~s.astype("string").str.strip().isin({pcsi.code_text(c) for c in missing_codes})
    ).sum()
    if not filled or num.notna().sum() < 0.9 * filled:
        return False
    v = num[~num.isin(pcsi.numeric_codes(missing_codes))].dropna()
    serial = len(v) >= 3 and (v.diff().dropna() == 1).all()
    return bool(len(v)) and not serial and v.between(0, 10).all() and (v == np.floor(v)).all()


def propose_spec(table: Table, settings, base: SurveySpec | None = None) -> SurveySpec:
    """A spec for this file: the default ministry layout where its columns match, else columns
    whose header looks like an item code or whose values look like answers become items (area to
    be confirmed by the user); facility, weight, date … columns by their usual names (settings);
    the scale from the answers (totals rows left out), the direction from a legend ('1 = 매우 만족')."""
    base = base or load_spec()
    aliases = settings.pcsi.columns if settings is not None else {}
    missing = settings.pcsi.missing_codes if settings is not None else base.missing_codes
    cols = list(table.df.columns)
    known_items = {normalise_header(i.column): i for i in base.items}
    singles = {
        "respondent_id_column": _find(cols, [base.respondent_id_column, *aliases.get("respondent_id", [])]),
        "date_column": _find(cols, [base.date_column, *aliases.get("date", [])]),
        "facility_column": _find(cols, [base.facility_column, *aliases.get("facility", [])]),
        "customer_type_column": _find(cols, [base.customer_type_column, *aliases.get("customer_type", [])]),
        "weight_column": _find(cols, [c for c in [base.weight_column, *aliases.get("weight", [])] if c]),
    }
    single = set(singles.values())
    comments = tuple(
        c
        for c in cols
        if c not in single and _find([c], [*base.comment_columns, *aliases.get("comments", [])])
    )
    demos = tuple(
        c
        for c in cols
        if c not in single and _find([c], [*base.demographic_columns, *aliases.get("demographics", [])])
    )
    taken = set(singles.values()) | set(comments) | set(demos) | set(identity_columns(cols, settings))
    table, _ = drop_total_rows(table, comments)
    items: list[Item] = []
    for c in cols:
        if c in taken:
            continue
        hit = known_items.get(normalise_header(c))
        if hit:
            items.append(replace(hit, column=c))
        elif ITEM_CODE.match(c) or _looks_like_item(table.df[c], missing):
            items.append(Item(c, "", c))
    values = (
        pd.concat([pd.to_numeric(table.df[i.column], errors="coerce") for i in items])
        if items
        else pd.Series(dtype=float)
    )
    code = _code_of(values, missing) if items else None
    missing = missing if code is None else (*missing, int(code))
    scale = _scale_of(values, missing) if items else base.scale
    direction = direction_hint(table)[0] or base.direction
    return replace(
        base,
        items=tuple(items),
        scale=scale,
        direction=direction,
        missing_codes=missing,
        **singles,
        comment_columns=comments,
        demographic_columns=demos,
    )


def identity_columns(cols: list[str], settings) -> list[str]:
    """Columns holding names/contacts (settings [privacy]): never read, never stored."""
    if settings is None:
        return []
    names = [*settings.privacy.drop_columns, *settings.privacy.hash_columns]
    return [c for c in cols if _find([c], names)]


# ---------------------------------------------------------------------------------------------
# Validation


@dataclass
class Prepared:
    """A validated file, ready to store."""

    spec: SurveySpec
    year: int
    respondents: pd.DataFrame
    answers: pd.DataFrame
    demographics: pd.DataFrame
    comments: pd.DataFrame
    report: dict = field(default_factory=dict)
    content_sha256: str = ""  # of the cell values (the same data re-saved is the same file)


def _where(
    table: Table, rows: pd.Series | np.ndarray, values: pd.Series | None = None, limit: int = 5
) -> str:
    rows = list(np.asarray(rows)[:limit])
    if values is None:
        return ", ".join(f"{r}행" for r in rows)
    vals = list(values.astype("string").fillna("(빈 칸)")[:limit])
    return ", ".join(f"{r}행 '{v}'" for r, v in zip(rows, vals))


def check_spec(spec: SurveySpec, table: Table, settings=None) -> None:
    """Columns the spec names must exist; item-looking columns must be in the spec (or ignored)."""
    f = table.file_name
    if spec.scale not in pcsi.SCALES:
        raise SurveyError(f"척도는 {pcsi.scale_names()} 중 하나여야 합니다(명세의 scale = {spec.scale}).")
    if spec.direction not in DIRECTIONS:
        raise SurveyError(
            f'척도 방향(direction)은 "high_good"(큰 값이 만족) 또는 "low_good"(1 = 매우 만족)이어야 '
            f'합니다(명세의 direction = "{spec.direction}").'
        )
    if not spec.items:
        raise SurveyError(f"{f}: 점수를 낼 문항이 명세에 없습니다. 문항 열과 영역을 지정하세요.")
    no_area = [i.column for i in spec.items if not i.area.strip()]
    if no_area:
        raise SurveyError(f"{f}: 문항 {', '.join(no_area)}의 영역이 지정되지 않았습니다.")
    cols = list(table.df.columns)
    missing = [c for c in spec.columns() if c not in cols]
    if missing:
        raise SurveyError(
            f"{f}: 설문 명세의 열 {', '.join(repr(c) for c in missing)}이(가) 파일에 없습니다"
            f"({table.header_row}행 머리글: {', '.join(cols[:30])})."
        )
    identity = set(identity_columns(spec.columns(), settings))
    if identity:
        raise SurveyError(
            f"{f}: 개인정보 열 {', '.join(sorted(identity))}은(는) 문항·인구통계 열로 저장할 수 없습니다."
        )
    used = set(spec.columns()) | set(spec.ignore_columns)
    strays = [c for c in cols if c not in used and ITEM_CODE.match(c)]
    if strays:
        raise SurveyError(
            f"{f}: 명세에 없는 문항 열 {', '.join(strays)}이(가) 있습니다. 영역을 지정해 문항에 넣거나 "
            "'점수에서 제외할 열(ignore_columns)'에 넣으세요."
        )


def _year(spec: SurveySpec, table: Table, dates: pd.Series | None) -> int:
    if spec.year:
        return spec.year
    if dates is not None and dates.notna().any():
        return int(dates.dropna().dt.year.mode().iloc[0])
    raise SurveyError(
        f"{table.file_name}: 조사 연도를 알 수 없습니다. 명세의 year(또는 --year)를 지정하세요."
    )


OPTIONAL = ("respondent_id_column", "date_column", "customer_type_column")


def fit_spec(spec: SurveySpec, table: Table) -> tuple[SurveySpec, list[str]]:
    """Descriptive columns (ID, date, customer type, comments, demographics) the file lacks are left
    out with a warning; items, facility and weight columns must exist (check_spec)."""
    cols = set(table.df.columns)
    gone = [getattr(spec, k) for k in OPTIONAL if getattr(spec, k) and getattr(spec, k) not in cols]
    gone += [c for c in (*spec.comment_columns, *spec.demographic_columns) if c not in cols]
    if not gone:
        return spec, []
    fitted = replace(
        spec,
        **{k: "" for k in OPTIONAL if getattr(spec, k) in gone},
        comment_columns=tuple(c for c in spec.comment_columns if c in cols),
        demographic_columns=tuple(c for c in spec.demographic_columns if c in cols),
    )
    return fitted, [f"파일에 없는 설명 열은 빼고 적재했습니다: {', '.join(gone)}"]


def prepare(table: Table, spec: SurveySpec, settings) -> Prepared:
    """Validate and shape a file for the store. Raises SurveyError (nothing stored) when unusable."""
    spec, fit_warnings = fit_spec(spec, table)
    check_spec(spec, table, settings)
    table, skipped = drop_total_rows(table, spec.comment_columns)
    df, f = table.df, table.file_name
    if df.empty:
        raise SurveyError(f"{f}: 응답 행이 없습니다(합계·평균 행 {len(skipped)}개뿐입니다).")
    resp_no = pd.Series(table.rows, index=df.index, dtype="int64")
    long = _answers(
        table, spec, (settings.pcsi if settings is not None else PcsiSettings()).max_invalid_share
    )

    weight = pd.Series(1.0, index=df.index)
    if spec.weight_column:
        weight = pd.to_numeric(df[spec.weight_column], errors="coerce")
        bad = weight.isna() | (weight <= 0)
        if bad.any():
            raise SurveyError(
                f"{f}: 가중치 열 '{spec.weight_column}'에 양수가 아닌 값이 있습니다 "
                f"({_where(table, resp_no[bad], df.loc[bad, spec.weight_column])})."
            )
    dates = None
    if spec.date_column:
        dates = parse_datetimes(df[spec.date_column])
        bad = df[spec.date_column].notna() & dates.isna()
        if bad.any():
            raise SurveyError(
                f"{f}: 조사일 열 '{spec.date_column}'의 날짜를 읽을 수 없습니다 "
                f"({_where(table, resp_no[bad], df.loc[bad, spec.date_column])})."
            )
    year = _year(spec, table, dates)

    facility = _facilities(df, spec, settings)
    respondents = pd.DataFrame(
        {
            "resp_no": resp_no,
            "respondent_id": mask_series(df[spec.respondent_id_column])
            if spec.respondent_id_column
            else pd.NA,
            "survey_date": dates.dt.date if dates is not None else None,
            "facility": facility,
            "customer_type": df[spec.customer_type_column] if spec.customer_type_column else pd.NA,
            "weight": weight.astype("float64"),
        }
    )
    demographics = _melt(df, resp_no, spec.demographic_columns, "attribute", "value")
    comments = _melt(df, resp_no, spec.comment_columns, "question", "text")
    comments["text"] = mask_series(comments["text"])
    report = _report(long, table, spec, facility, settings)
    report["skipped_rows"] = skipped
    skip_note = (
        [
            f"{f}: 합계·평균 행 {len(skipped)}개를 건너뛰었습니다 (행 번호: {', '.join(map(str, skipped[:20]))}"
            f"{' …' if len(skipped) > 20 else ''})."
        ]
        if skipped
        else []
    )
    report["warnings"] = [f"{f}: {n}" for n in table.notes] + fit_warnings + skip_note + report["warnings"]
    return Prepared(
        spec,
        year,
        respondents,
        long[["resp_no", "item", "raw", "score", "status"]],
        demographics,
        comments,
        report,
        content_sha256(table),
    )


def _answers(table: Table, spec: SurveySpec, max_share: float) -> pd.DataFrame:
    """One row per (respondent, item): raw, status, score. An item with more answers outside the
    declared scale than `max_share` of respondents means a wrong scale or column: refused."""
    df, f = table.df, table.file_name
    long = pd.DataFrame(
        {
            "resp_no": np.tile(np.asarray(table.rows, dtype="int64"), len(spec.items)),
            "item": pd.Categorical.from_codes(
                np.repeat(np.arange(len(spec.items)), len(df)), spec.item_columns
            ),
            "raw": pd.concat([df[c] for c in spec.item_columns], ignore_index=True).astype("string"),
            "reverse": np.repeat(spec.reversed_items(), len(df)),
        }
    )
    value, status = pcsi.classify(long["raw"], spec.scale, spec.missing_codes)
    long["status"] = status
    long["value"] = value
    long["score"] = pcsi.item_score(value, spec.scale, long["reverse"]).where(status == "ok")
    invalid = long[long["status"] == "invalid"]
    lo, hi = pcsi.scale_range(spec.scale)
    for item, part in invalid.groupby("item", sort=False, observed=True):
        if len(part) > max_share * len(df):
            seen = _scale_of(_numbers(long.loc[long["item"] == item]), spec.missing_codes)
            hint = f" 값으로 보면 {pcsi.SCALES[seen]} 척도입니다." if seen != spec.scale else ""
            raise SurveyError(
                f"{f}: 문항 {item}에 {spec.scale}점 척도({lo}–{hi}, 결측코드 "
                f"{', '.join(pcsi.code_text(c) for c in spec.missing_codes)}) 밖의 값이 {len(part)}개 있습니다 "
                f"({_where(table, part['resp_no'], part['raw'])}).{hint} 척도나 열 지정이 맞는지 확인하세요."
            )
    return long


def _numbers(long: pd.DataFrame) -> pd.Series:
    """Answers as numbers, missing codes and blanks left out (valid and out-of-scale alike)."""
    return pd.to_numeric(long.loc[long["status"] != "missing", "raw"].str.strip(), errors="coerce").dropna()


MIN_SCALE_CHECK_ANSWERS = 20


def scale_warnings(long: pd.DataFrame, table: Table, spec: SurveySpec) -> list[str]:
    """Where the answers contradict the declared scale: values outside it (not scored; file, row,
    column, value), or — with enough answers on a scale of 5 or more points — nobody using its top
    value (a 4-point file declared as 5 points). Missing codes are left out."""
    f, (lo, hi) = table.file_name, pcsi.scale_range(spec.scale)
    invalid = long[long["status"] == "invalid"]
    if len(invalid):
        where = ", ".join(
            f"{r}행 {i}열 '{v}'"
            for r, i, v in invalid[["resp_no", "item", "raw"]].head(20).itertuples(index=False)
        )
        return [
            f"{f}: 선언한 척도({spec.scale}점, {lo}–{hi}) 밖의 값 {len(invalid):,}개는 점수에서 제외했습니다: "
            f"{where}{' …' if len(invalid) > 20 else ''}."
        ]
    ok = long.loc[long["status"] == "ok", "value"]
    if spec.scale < 5 or len(ok) < MIN_SCALE_CHECK_ANSWERS or ok.max() >= hi:
        return []
    top, seen = int(ok.max()), _scale_of(ok, ())
    fix = (
        f" {pcsi.SCALES[seen]} 척도라면 명세의 척도(scale)를 {seen}(으)로 고쳐 다시 올리세요."
        if seen != spec.scale
        else " 척도 지정이 맞는지 확인하세요."
    )
    return [
        f"{f}: 선언한 척도({spec.scale}점)와 실제 값(최대 {top})이 맞지 않습니다: 유효 응답 {len(ok):,}개 중 "
        f"{hi}이(가) 하나도 없습니다.{fix}"
    ]


def direction_warnings(table: Table, spec: SurveySpec) -> list[str]:
    """A scale legend in the file ('1 = 매우 만족') that contradicts the declared direction."""
    hint, legend = direction_hint(table)
    if not hint or hint == spec.direction:
        return []
    return [
        f"{table.file_name}: 파일에 '{legend}'(이)라고 적혀 있는데 명세의 척도 방향은 "
        f"'{DIRECTIONS[spec.direction]}'입니다. 방향(direction)이 맞는지 확인하세요."
    ]


def scale_notes(table: Table, spec: SurveySpec) -> list[str]:
    """What the loader will say about the scale of this file under this spec (for the upload page,
    before the user confirms): out-of-scale values, an unused top value, a contradicting legend."""
    table, _ = drop_total_rows(table, spec.comment_columns)
    if table.df.empty or not spec.items or spec.scale not in pcsi.SCALES or spec.direction not in DIRECTIONS:
        return []
    try:
        long = _answers(table, spec, 1.0)
    except KeyError:
        return []
    return scale_warnings(long, table, spec) + direction_warnings(table, spec)


def content_sha256(table: Table) -> str:
    h = hashlib.sha256(json.dumps(list(map(str, table.df.columns)), ensure_ascii=False).encode())
    h.update(pd.util.hash_pandas_object(table.df, index=False).to_numpy().tobytes())
    h.update(np.asarray(table.rows, dtype="int64").tobytes())
    return h.hexdigest()


def _facilities(df: pd.DataFrame, spec: SurveySpec, settings) -> pd.Series:
    if not spec.facility_column:
        return pd.Series(pd.NA, index=df.index, dtype="string")
    aliases = dict(settings.organisation.facility_aliases) if settings is not None else {}
    s = df[spec.facility_column].astype("string").str.strip()
    return s.replace(aliases)


def _melt(
    df: pd.DataFrame, resp_no: pd.Series, columns: tuple[str, ...], key: str, value: str
) -> pd.DataFrame:
    if not columns:
        return pd.DataFrame(
            {
                "resp_no": pd.Series(dtype="int64"),
                key: pd.Series(dtype="string"),
                value: pd.Series(dtype="string"),
            }
        )
    out = pd.DataFrame(
        {
            "resp_no": np.tile(resp_no.to_numpy(), len(columns)),
            key: np.repeat(list(columns), len(df)),
            value: pd.concat([df[c] for c in columns], ignore_index=True).astype("string").str.strip(),
        }
    )
    return out[out[value].notna() & (out[value] != "")].reset_index(drop=True)


def _report(long: pd.DataFrame, table: Table, spec: SurveySpec, facility: pd.Series, settings) -> dict:
    per_item = long.groupby("item", sort=False, observed=False)["status"].value_counts().unstack(fill_value=0)
    for s in ("ok", "missing", "invalid"):
        if s not in per_item:
            per_item[s] = 0
    invalid = long[long["status"] == "invalid"]
    known = set(settings.facilities) if settings is not None else set()
    unknown = sorted(set(facility.dropna()) - known) if known else []
    doubts = scale_warnings(long, table, spec) + direction_warnings(table, spec)
    warnings = list(doubts)
    if unknown:
        warnings.append(f"설정에 없는 시설 {len(unknown)}개(담당 부서 미지정): {', '.join(unknown[:10])}")
    ignored = [c for c in table.df.columns if c not in set(spec.columns())]
    aliases = list(settings.pcsi.columns.get("weight", ())) if settings is not None else []
    unused_weight = _find(ignored, aliases) if not spec.weight_column else ""
    if unused_weight:
        warnings.append(
            f"가중치로 보이는 열 '{unused_weight}'이(가) 있지만 명세에 가중치 열(weight_column)이 없어 "
            "가중하지 않았습니다."
        )
    return {
        "respondents": int(len(table.df)),
        "answers_ok": int(per_item["ok"].sum()),
        "missing": {k: int(v) for k, v in per_item["missing"].items() if v},
        "invalid": {k: int(v) for k, v in per_item["invalid"].items() if v},
        "invalid_rows": [
            {"row": int(r), "item": i, "value": str(v)}
            for r, i, v in invalid[["resp_no", "item", "raw"]].head(200).itertuples(index=False)
        ],
        "ignored_columns": ignored,
        "scale_mismatch": bool(doubts) and not len(invalid),  # scale or direction looks wrong
        "warnings": warnings,
    }


# ---------------------------------------------------------------------------------------------
# Store


@dataclass
class LoadResult:
    status: str  # loaded | replaced | unchanged
    batch_id: int
    survey: str
    year: int
    wave: str
    report: dict
    replaced_batch: int | None = None

    def summary(self) -> str:
        what = f"{self.survey} {self.year}{' ' + self.wave if self.wave else ''}"
        if self.status == "unchanged":
            return (
                f"{what}: 이미 같은 파일·명세로 적재되어 있습니다(배치 {self.batch_id}). 바뀐 것이 없습니다."
            )
        r = self.report
        text = (
            f"{what}: 응답자 {r['respondents']:,}명, 유효 응답 {r['answers_ok']:,}개 적재(배치 {self.batch_id}). "
            f"결측 {sum(r['missing'].values()):,}개, 척도 밖 {sum(r['invalid'].values()):,}개는 점수에서 제외."
        )
        if self.replaced_batch:
            text += f" 같은 조사의 이전 적재(배치 {self.replaced_batch})를 대체했습니다."
        return text


def file_sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


# ---------------------------------------------------------------------------------------------
# Who may load what, and what a load would change

CORPORATE_ROLES = ("관리자", "분석")
DEPARTMENT_ROLE = "부서"
CORPORATE_OWNER = "공단(관리자·분석)"
ANY_BATCH = object()


class Uploader(Protocol):
    username: str
    role: str
    department: str | None


def corporate_survey(settings) -> str:
    """The corporation's own survey name ([pcsi] corporate_survey, default PCSI): 관리자·분석 only."""
    return (settings.pcsi if settings is not None else PcsiSettings()).corporate_survey


def _name_key(name: str) -> str:
    return re.sub(r"[\s\W_]+", "", unicodedata.normalize("NFKC", name)).casefold()


def survey_owners(con, survey: str) -> set[str]:
    """The departments that loaded a survey ('' for a 관리자·분석 load); empty when it is new."""
    rows = con.execute(
        """SELECT DISTINCT coalesce(json_extract_string(l.detail, '$.department'), '')
           FROM survey_batches b JOIN load_batches l USING (batch_id) WHERE b.survey = ?""",
        [survey],
    ).fetchall()
    return {r[0] for r in rows}


def check_permission(con, survey: str, user: Uploader, settings=None) -> None:
    """Raise SurveyError (Korean) unless `user` may create or replace `survey`: 관리자·분석 may load
    any survey; a 부서 account only a survey that is not the corporate one and that no one else loaded."""
    if user.role in CORPORATE_ROLES:
        return
    dept = (user.department or "").strip()
    if user.role != DEPARTMENT_ROLE or not dept:
        raise SurveyError(
            "이 계정은 설문을 올릴 수 없습니다: 관리자·분석 계정이나 부서가 지정된 부서 계정만 올릴 수 있습니다."
        )
    if _name_key(survey) == _name_key(corporate_survey(settings)):
        raise SurveyError(
            f"'{survey}'은(는) 공단 전체 고객만족도 조사라서 관리자·분석 계정만 올리거나 바꿀 수 있습니다. "
            f"{dept}의 설문은 다른 이름(예: '{dept} 만족도')으로 올리세요."
        )
    others = sorted(o or CORPORATE_OWNER for o in survey_owners(con, survey) if o != dept)
    if others:
        raise SurveyError(
            f"'{survey}'은(는) {', '.join(others)}이(가) 올린 설문이라 {dept} 계정으로는 바꿀 수 없습니다. "
            "부서 설문은 새 이름으로 올리세요."
        )


def _what(survey: str, year: int, wave: str) -> str:
    return f"{survey} {year}{' ' + wave if wave else ''}"


@dataclass(frozen=True)
class DryRun:
    """What loading a prepared file would change, computed without keeping anything."""

    survey: str
    year: int
    wave: str
    replaces: int | None  # the active batch a load would replace
    unchanged: bool  # the same file and spec are already loaded
    n_before: int | None  # respondents of that batch
    n_after: int
    index_before: float | None  # the survey-year's overall index now
    index_after: float | None  # … and after the load
    missing: int
    invalid: int
    warnings: tuple[str, ...] = ()  # what the loader will say (skipped totals rows, unknown facilities …)

    @property
    def what(self) -> str:
        return _what(self.survey, self.year, self.wave)

    def replacement(self) -> str:
        """'PCSI 2026 응답자 700명을 61명으로 바꿉니다 (종합지수 91.0 → 82.8)' ('' for a new survey)."""
        if self.replaces is None or self.unchanged:
            return ""
        text = f"{self.what} 응답자 {self.n_before or 0:,}명을 {self.n_after:,}명으로 바꿉니다"
        return text + f" (종합지수 {fmt_index(self.index_before)} → {fmt_index(self.index_after)})"


def fmt_index(value: float | None) -> str:
    return "없음" if value is None else f"{value:.1f}점"


def dry_run(con, prep: Prepared, settings=None) -> DryRun:
    """Respondents and the overall index before → after, from the prepared file written in a
    transaction that is always rolled back (the index is read by ccm.pcsi exactly as pages read it)."""
    spec = replace(prep.spec, year=prep.year)
    opts = pcsi.options_from(settings)
    digest = file_sha256((prep.content_sha256 + spec.to_json()).encode())
    current = con.execute(
        "SELECT batch_id, sha256 FROM survey_batches WHERE active AND survey = ? AND year = ? AND wave = ?",
        [spec.survey, prep.year, spec.wave],
    ).fetchone()
    n_before = (
        None
        if current is None
        else con.execute(
            "SELECT count(*) FROM survey_respondents WHERE batch_id = ?", [current[0]]
        ).fetchone()[0]
    )
    before = pcsi.overall_index(con, prep.year, spec.survey, opts=opts)
    unchanged = bool(current) and current[1] == digest
    after = before
    if not unchanged:
        con.execute("BEGIN TRANSACTION")
        try:
            _write(con, prep, spec, "(미리보기)", "", None, None, current, digest)
            after = pcsi.overall_index(con, prep.year, spec.survey, opts=opts)
        finally:
            con.execute("ROLLBACK")
    return DryRun(
        spec.survey,
        prep.year,
        spec.wave,
        current[0] if current else None,
        unchanged,
        n_before,
        len(prep.respondents),
        before,
        after,
        sum(prep.report["missing"].values()),
        sum(prep.report["invalid"].values()),
        tuple(prep.report.get("warnings", ())),
    )


# ---------------------------------------------------------------------------------------------
# Bulk area assignment

_CODE_PARTS = re.compile(r"^(\D*?)(\d+)(.*)$")


def _code(item: str) -> tuple[str, int, str] | None:
    m = _CODE_PARTS.match(unicodedata.normalize("NFKC", item).strip())
    return (m.group(1).casefold(), int(m.group(2)), m.group(3)) if m else None


def match_items(pattern: str, items: list[str]) -> list[str]:
    """Items a pattern names, in their order: 'A*' (a prefix), 'A1-A3' / 'A1–A3' / 'A1~A3' (a range
    within one prefix), 'B2' (one item), several separated by commas."""
    chosen: set[str] = set()
    for part in (p.strip() for p in unicodedata.normalize("NFKC", pattern).split(",")):
        if not part:
            continue
        if part.endswith("*"):
            prefix = part[:-1].strip().casefold()
            letters = not re.search(r"\d", prefix)  # 'A*' is A1…A9, not AB1
            chosen.update(
                i
                for i in items
                if (_code(i) or ("",))[0] == prefix or (not letters and i.casefold().startswith(prefix))
            )
            continue
        ends = [e.strip() for e in re.split(r"\s*[-–~]\s*", part, maxsplit=1)]
        lo, hi = _code(ends[0]), _code(ends[-1])
        if len(ends) == 2 and lo and hi and lo[0] == hi[0]:
            low, high = sorted((lo[1], hi[1]))
            chosen.update(i for i in items if (c := _code(i)) and c[0] == lo[0] and low <= c[1] <= high)
        else:
            chosen.update(i for i in items if i.casefold() == part.casefold())
    return [i for i in items if i in chosen]


def store(
    con,
    prep: Prepared,
    file_name: str,
    sha256: str,
    *,
    loaded_by: str | None = None,
    user: Uploader | None = None,
    settings=None,
    confirmed_batch: int | None | object = ANY_BATCH,
) -> LoadResult:
    """Write one prepared file in one transaction; same file + spec again → nothing changes; a new
    file for the same survey (name, year, wave) replaces the active batch (kept for rollback).
    With `user`, a 부서 account may only write its own department's surveys (check_permission);
    with `confirmed_batch`, the batch the user agreed to replace must still be the active one."""
    spec = replace(prep.spec, year=prep.year)
    if user is not None:
        check_permission(con, spec.survey, user, settings)
        loaded_by = loaded_by or user.username
    digest = file_sha256((prep.content_sha256 + spec.to_json()).encode())
    current = con.execute(
        "SELECT batch_id, sha256 FROM survey_batches WHERE active AND survey = ? AND year = ? AND wave = ?",
        [spec.survey, prep.year, spec.wave],
    ).fetchone()
    if current and current[1] == digest:
        return LoadResult("unchanged", current[0], spec.survey, prep.year, spec.wave, prep.report)
    if confirmed_batch is not ANY_BATCH and (current[0] if current else None) != confirmed_batch:
        raise SurveyError(
            f"{_what(spec.survey, prep.year, spec.wave)}: 확인한 뒤에 다른 사용자가 이 설문을 바꿨습니다. "
            "화면을 새로 고쳐 바뀔 내용을 다시 확인하세요."
        )
    with transaction(con):
        batch_id = _write(con, prep, spec, file_name, sha256, loaded_by, user, current, digest)
    return LoadResult(
        "replaced" if current else "loaded",
        batch_id,
        spec.survey,
        prep.year,
        spec.wave,
        prep.report,
        current[0] if current else None,
    )


def _write(
    con,
    prep: Prepared,
    spec: SurveySpec,
    file_name: str,
    sha256: str,
    loaded_by: str | None,
    user: Uploader | None,
    current: tuple | None,
    digest: str,
) -> int:
    department = (user.department or None) if user is not None and user.role == DEPARTMENT_ROLE else None
    detail = json.dumps(
        {
            "survey": spec.survey,
            "year": prep.year,
            "wave": spec.wave,
            "spec": spec.to_dict(),
            "report": prep.report,
            "department": department,
        },
        ensure_ascii=False,
    )
    batch_id = con.execute(
        """INSERT INTO load_batches (kind, file_name, sha256, rows_read, rows_inserted, rows_rejected,
                                     loaded_by, detail)
           VALUES ('survey', ?, ?, ?, ?, 0, ?, ?) RETURNING batch_id""",
        [file_name, sha256, prep.report["respondents"], len(prep.respondents), loaded_by, detail],
    ).fetchone()[0]
    if current:
        con.execute(
            "UPDATE survey_batches SET active = FALSE, replaced_by = ? WHERE batch_id = ?",
            [batch_id, current[0]],
        )
    con.execute(
        "INSERT INTO survey_batches (batch_id, survey, year, wave, scale, overall_area, spec, sha256)"
        " VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
        [batch_id, spec.survey, prep.year, spec.wave, spec.scale, spec.overall_area, spec.to_json(), digest],
    )
    items = pd.DataFrame(
        [
            {"item": i.column, "area": i.area, "label": i.label, "reverse": i.reverse, "position": n}
            for n, i in enumerate(spec.items)
        ]
    )
    _insert(con, "survey_items", items, batch_id)
    _insert(con, "survey_respondents", prep.respondents, batch_id)
    _insert(con, "survey_answers", prep.answers, batch_id)
    _insert(con, "survey_demographics", prep.demographics, batch_id)
    _insert(con, "survey_comments", prep.comments, batch_id)
    return batch_id


def _insert(con, table: str, df: pd.DataFrame, batch_id: int) -> None:
    if df.empty:
        return
    frame = df.copy()
    frame.insert(0, "batch_id", batch_id)
    con.register("_survey_frame", frame)
    try:
        cols = ", ".join(frame.columns)
        con.execute(f"INSERT INTO {table} ({cols}) SELECT {cols} FROM _survey_frame")
    finally:
        con.unregister("_survey_frame")


def load(
    con,
    source: str | Path | bytes,
    spec: SurveySpec | None = None,
    settings=None,
    *,
    name: str | None = None,
    loaded_by: str | None = None,
    user: Uploader | None = None,
) -> LoadResult:
    """Read, validate and store one file. Raises SurveyError (nothing stored) when unusable."""
    data = Path(source).read_bytes() if not isinstance(source, bytes) else source
    file_name = name or (Path(source).name if not isinstance(source, bytes) else "upload")
    spec = spec or load_spec()
    table = read(data, file_name, spec, settings)
    if (
        user is not None
    ):  # refused before the file is validated: nothing to read for a survey one may not touch
        check_permission(con, spec.survey, user, settings)
    prep = prepare(table, spec, settings)
    return store(con, prep, file_name, file_sha256(data), loaded_by=loaded_by, user=user, settings=settings)
