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
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path

import numpy as np
import pandas as pd

from ccm import pcsi
from ccm.db import transaction
from ccm.privacy import mask_series
from etl.readers import XLS_MAGIC, XLSX_MAGIC, ReadError, Table, normalise_header, parse_datetimes, read_table

SPECS = Path(__file__).resolve().parent / "specs"
DEFAULT_SPEC = SPECS / "pcsi_default.toml"
ITEM_CODE = re.compile(r"^[A-Za-z]{1,2}\d{1,2}(?:[-_.]\d{1,2})?$")  # A1, B12, Q3, Q3_1


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
    year: int = 0                    # 0 = from the date column (or --year)
    wave: str = ""
    scale: int = 7
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
    def from_dict(cls, d: dict) -> "SurveySpec":
        reverse = {str(c) for c in d.get("reverse_items", ())}
        items = tuple(
            Item(str(i["column"]), str(i["area"]), str(i.get("label", "") or ""),
                 bool(i.get("reverse", False)) or str(i["column"]) in reverse)
            for i in d.get("items", ())
        )
        known = {f for f in cls.__dataclass_fields__} | {"reverse_items"}
        unknown = set(d) - known
        if unknown:
            raise SurveyError(f"설문 명세에 모르는 항목이 있습니다: {', '.join(sorted(unknown))}")
        tuples = ("missing_codes", "comment_columns", "demographic_columns", "ignore_columns")
        kw = {k: (tuple(v) if k in tuples else v) for k, v in d.items()
              if k not in ("items", "reverse_items")}
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
    def item_columns(self) -> list[str]:
        return [i.column for i in self.items]

    @property
    def areas(self) -> list[str]:
        return list(dict.fromkeys(i.area for i in self.items))

    def columns(self) -> list[str]:
        """Every file column the spec reads."""
        singles = [self.respondent_id_column, self.date_column, self.facility_column,
                   self.customer_type_column, self.weight_column]
        return [c for c in [*singles, *self.item_columns, *self.comment_columns, *self.demographic_columns] if c]


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

def read(source: str | Path | bytes, name: str | None = None, spec: SurveySpec | None = None,
         settings=None) -> Table:
    """The file as a Table of strings; the header row found with the spec's and settings' names."""
    data = Path(source).read_bytes() if not isinstance(source, bytes) else source
    name = name or (Path(source).name if not isinstance(source, bytes) else "upload")
    if name.lower().endswith((".xls", ".xlsx")) and not data.startswith((XLSX_MAGIC, XLS_MAGIC)) and data.strip():
        kind = "웹 페이지(HTML)" if data.lstrip()[:1] == b"<" else "텍스트"
        raise SurveyError(f"{name}: 이름은 Excel 파일인데 내용은 {kind}입니다. Excel에서 열어 "
                          "'Excel 통합 문서(.xlsx)'로 다시 저장한 뒤 올려 주세요.")
    known = set(spec.columns()) if spec else set()
    if settings is not None:
        for names in settings.get("pcsi", {}).get("columns", {}).values():
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
    """5, 7 or 11 points, from the answers (a stray out-of-scale value does not decide it)."""
    v = values[~values.isin(pcsi.numeric_codes(missing_codes))].dropna()
    if v.empty:
        return 7
    share = lambda vals: v.isin(vals).mean()  # noqa: E731
    if share([0, 8, 9, 10]) > 0.01:
        return 11
    return 7 if share([6, 7]) > 0.01 else 5


def _looks_like_item(s: pd.Series, missing_codes: tuple) -> bool:
    num = pd.to_numeric(s, errors="coerce")
    filled = (s.notna() & ~s.astype("string").str.strip().isin({pcsi.code_text(c) for c in missing_codes})).sum()
    if not filled or num.notna().sum() < 0.9 * filled:
        return False
    v = num[~num.isin(pcsi.numeric_codes(missing_codes))].dropna()
    serial = len(v) >= 3 and (v.diff().dropna() == 1).all()
    return bool(len(v)) and not serial and v.between(0, 10).all() and (v == np.floor(v)).all()


def propose_spec(table: Table, settings, base: SurveySpec | None = None) -> SurveySpec:
    """A spec for this file: the default ministry layout where its columns match, else columns
    whose header looks like an item code or whose values look like answers become items (area to
    be confirmed by the user); facility, weight, date … columns by their usual names (settings)."""
    base = base or load_spec()
    p = settings.get("pcsi", {}) if settings is not None else {}
    aliases = p.get("columns", {})
    missing = tuple(p.get("missing_codes", base.missing_codes))
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
    comments = tuple(c for c in cols if c not in single
                     and _find([c], [*base.comment_columns, *aliases.get("comments", [])]))
    demos = tuple(c for c in cols if c not in single
                  and _find([c], [*base.demographic_columns, *aliases.get("demographics", [])]))
    taken = set(singles.values()) | set(comments) | set(demos) | set(identity_columns(cols, settings))
    items: list[Item] = []
    for c in cols:
        if c in taken:
            continue
        hit = known_items.get(normalise_header(c))
        if hit:
            items.append(replace(hit, column=c))
        elif ITEM_CODE.match(c) or _looks_like_item(table.df[c], missing):
            items.append(Item(c, "", c))
    values = pd.concat([pd.to_numeric(table.df[i.column], errors="coerce") for i in items]) if items else pd.Series(dtype=float)
    scale = _scale_of(values, missing) if items else base.scale
    return replace(base, items=tuple(items), scale=scale, missing_codes=missing, **singles,
                   comment_columns=comments, demographic_columns=demos)


def identity_columns(cols: list[str], settings) -> list[str]:
    """Columns holding names/contacts (settings [privacy]): never read, never stored."""
    if settings is None:
        return []
    priv = settings.get("privacy", {})
    names = [*priv.get("drop_columns", []), *priv.get("hash_columns", [])]
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
    content_sha256: str = ""          # of the cell values (the same data re-saved is the same file)


def _where(table: Table, rows: pd.Series | np.ndarray, values: pd.Series | None = None, limit: int = 5) -> str:
    rows = list(np.asarray(rows)[:limit])
    if values is None:
        return ", ".join(f"{r}행" for r in rows)
    vals = list(values.astype("string").fillna("(빈 칸)")[:limit])
    return ", ".join(f"{r}행 '{v}'" for r, v in zip(rows, vals))


def check_spec(spec: SurveySpec, table: Table, settings=None) -> None:
    """Columns the spec names must exist; item-looking columns must be in the spec (or ignored)."""
    f = table.file_name
    if spec.scale not in pcsi.SCALES:
        raise SurveyError(f"척도는 5, 7, 11점 중 하나여야 합니다(명세의 scale = {spec.scale}).")
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
            f"({table.header_row}행 머리글: {', '.join(cols[:30])}).")
    identity = set(identity_columns(spec.columns(), settings))
    if identity:
        raise SurveyError(f"{f}: 개인정보 열 {', '.join(sorted(identity))}은(는) 문항·인구통계 열로 저장할 수 없습니다.")
    used = set(spec.columns()) | set(spec.ignore_columns)
    strays = [c for c in cols if c not in used and ITEM_CODE.match(c)]
    if strays:
        raise SurveyError(
            f"{f}: 명세에 없는 문항 열 {', '.join(strays)}이(가) 있습니다. 영역을 지정해 문항에 넣거나 "
            "'점수에서 제외할 열(ignore_columns)'에 넣으세요.")


def _year(spec: SurveySpec, table: Table, dates: pd.Series | None) -> int:
    if spec.year:
        return spec.year
    if dates is not None and dates.notna().any():
        return int(dates.dropna().dt.year.mode().iloc[0])
    raise SurveyError(f"{table.file_name}: 조사 연도를 알 수 없습니다. 명세의 year(또는 --year)를 지정하세요.")


OPTIONAL = ("respondent_id_column", "date_column", "customer_type_column")


def fit_spec(spec: SurveySpec, table: Table) -> tuple[SurveySpec, list[str]]:
    """Descriptive columns (ID, date, customer type, comments, demographics) the file lacks are left
    out with a warning; items, facility and weight columns must exist (check_spec)."""
    cols = set(table.df.columns)
    gone = [getattr(spec, k) for k in OPTIONAL if getattr(spec, k) and getattr(spec, k) not in cols]
    gone += [c for c in (*spec.comment_columns, *spec.demographic_columns) if c not in cols]
    if not gone:
        return spec, []
    fitted = replace(spec, **{k: "" for k in OPTIONAL if getattr(spec, k) in gone},
                     comment_columns=tuple(c for c in spec.comment_columns if c in cols),
                     demographic_columns=tuple(c for c in spec.demographic_columns if c in cols))
    return fitted, [f"파일에 없는 설명 열은 빼고 적재했습니다: {', '.join(gone)}"]


def prepare(table: Table, spec: SurveySpec, settings) -> Prepared:
    """Validate and shape a file for the store. Raises SurveyError (nothing stored) when unusable."""
    spec, fit_warnings = fit_spec(spec, table)
    check_spec(spec, table, settings)
    df, f = table.df, table.file_name
    resp_no = pd.Series(table.rows, index=df.index, dtype="int64")
    p = settings.get("pcsi", {}) if settings is not None else {}
    max_share = float(p.get("max_invalid_share", 0.05))

    long = pd.DataFrame({
        "resp_no": np.tile(resp_no.to_numpy(), len(spec.items)),
        "item": pd.Categorical.from_codes(np.repeat(np.arange(len(spec.items)), len(df)), spec.item_columns),
        "raw": pd.concat([df[c] for c in spec.item_columns], ignore_index=True).astype("string"),
        "reverse": np.repeat([i.reverse for i in spec.items], len(df)),
    })
    value, status = pcsi.classify(long["raw"], spec.scale, spec.missing_codes)
    long["status"] = status
    long["score"] = pcsi.item_score(value, spec.scale, long["reverse"]).where(status == "ok")
    invalid = long[long["status"] == "invalid"]
    lo, hi = pcsi.scale_range(spec.scale)
    for item, part in invalid.groupby("item", sort=False):
        if len(part) > max_share * len(df):
            raise SurveyError(
                f"{f}: 문항 {item}에 {spec.scale}점 척도({lo}–{hi}, 결측코드 "
                f"{', '.join(pcsi.code_text(c) for c in spec.missing_codes)}) 밖의 값이 {len(part)}개 있습니다 "
                f"({_where(table, part['resp_no'], part['raw'])}). 척도나 열 지정이 맞는지 확인하세요.")

    weight = pd.Series(1.0, index=df.index)
    if spec.weight_column:
        weight = pd.to_numeric(df[spec.weight_column], errors="coerce")
        bad = weight.isna() | (weight <= 0)
        if bad.any():
            raise SurveyError(
                f"{f}: 가중치 열 '{spec.weight_column}'에 양수가 아닌 값이 있습니다 "
                f"({_where(table, resp_no[bad], df.loc[bad, spec.weight_column])}).")
    dates = None
    if spec.date_column:
        dates = parse_datetimes(df[spec.date_column])
        bad = df[spec.date_column].notna() & dates.isna()
        if bad.any():
            raise SurveyError(f"{f}: 조사일 열 '{spec.date_column}'의 날짜를 읽을 수 없습니다 "
                              f"({_where(table, resp_no[bad], df.loc[bad, spec.date_column])}).")
    year = _year(spec, table, dates)

    facility = _facilities(df, spec, settings)
    respondents = pd.DataFrame({
        "resp_no": resp_no,
        "respondent_id": mask_series(df[spec.respondent_id_column]) if spec.respondent_id_column else pd.NA,
        "survey_date": dates.dt.date if dates is not None else None,
        "facility": facility,
        "customer_type": df[spec.customer_type_column] if spec.customer_type_column else pd.NA,
        "weight": weight.astype("float64"),
    })
    demographics = _melt(df, resp_no, spec.demographic_columns, "attribute", "value")
    comments = _melt(df, resp_no, spec.comment_columns, "question", "text")
    comments["text"] = mask_series(comments["text"])
    report = _report(long, table, spec, facility, settings)
    report["warnings"] = fit_warnings + report["warnings"]
    return Prepared(spec, year, respondents, long[["resp_no", "item", "raw", "score", "status"]],
                    demographics, comments, report, content_sha256(table))


def content_sha256(table: Table) -> str:
    h = hashlib.sha256(json.dumps(list(map(str, table.df.columns)), ensure_ascii=False).encode())
    h.update(pd.util.hash_pandas_object(table.df, index=False).to_numpy().tobytes())
    h.update(np.asarray(table.rows, dtype="int64").tobytes())
    return h.hexdigest()


def _facilities(df: pd.DataFrame, spec: SurveySpec, settings) -> pd.Series:
    if not spec.facility_column:
        return pd.Series(pd.NA, index=df.index, dtype="string")
    aliases = dict(settings["organisation"].get("facility_aliases", {})) if settings is not None else {}
    s = df[spec.facility_column].astype("string").str.strip()
    return s.replace(aliases)


def _melt(df: pd.DataFrame, resp_no: pd.Series, columns: tuple[str, ...], key: str, value: str) -> pd.DataFrame:
    if not columns:
        return pd.DataFrame({"resp_no": pd.Series(dtype="int64"), key: pd.Series(dtype="string"),
                             value: pd.Series(dtype="string")})
    out = pd.DataFrame({
        "resp_no": np.tile(resp_no.to_numpy(), len(columns)),
        key: np.repeat(list(columns), len(df)),
        value: pd.concat([df[c] for c in columns], ignore_index=True).astype("string").str.strip(),
    })
    return out[out[value].notna() & (out[value] != "")].reset_index(drop=True)


def _report(long: pd.DataFrame, table: Table, spec: SurveySpec, facility: pd.Series, settings) -> dict:
    per_item = long.groupby("item", sort=False)["status"].value_counts().unstack(fill_value=0)
    for s in ("ok", "missing", "invalid"):
        if s not in per_item:
            per_item[s] = 0
    invalid = long[long["status"] == "invalid"]
    known = set(settings.facilities) if settings is not None else set()
    unknown = sorted(set(facility.dropna()) - known) if known else []
    warnings = []
    if len(invalid):
        warnings.append(f"척도 밖의 값 {len(invalid)}개는 점수에서 제외했습니다: "
                        f"{', '.join(f'{r}행 {i}={v}' for r, i, v in invalid[['resp_no', 'item', 'raw']].head(20).itertuples(index=False))}")
    if unknown:
        warnings.append(f"설정에 없는 시설 {len(unknown)}개(담당 부서 미지정): {', '.join(unknown[:10])}")
    ignored = [c for c in table.df.columns if c not in set(spec.columns())]
    aliases = settings.get("pcsi", {}).get("columns", {}).get("weight", []) if settings is not None else []
    unused_weight = _find(ignored, aliases) if not spec.weight_column else ""
    if unused_weight:
        warnings.append(f"가중치로 보이는 열 '{unused_weight}'이(가) 있지만 명세에 가중치 열(weight_column)이 없어 "
                        "가중하지 않았습니다.")
    return {
        "respondents": int(len(table.df)),
        "answers_ok": int(per_item["ok"].sum()),
        "missing": {k: int(v) for k, v in per_item["missing"].items() if v},
        "invalid": {k: int(v) for k, v in per_item["invalid"].items() if v},
        "invalid_rows": [{"row": int(r), "item": i, "value": str(v)}
                         for r, i, v in invalid[["resp_no", "item", "raw"]].head(200).itertuples(index=False)],
        "ignored_columns": ignored,
        "warnings": warnings,
    }


# ---------------------------------------------------------------------------------------------
# Store

@dataclass
class LoadResult:
    status: str                     # loaded | replaced | unchanged
    batch_id: int
    survey: str
    year: int
    wave: str
    report: dict
    replaced_batch: int | None = None

    def summary(self) -> str:
        what = f"{self.survey} {self.year}{' ' + self.wave if self.wave else ''}"
        if self.status == "unchanged":
            return f"{what}: 이미 같은 파일·명세로 적재되어 있습니다(배치 {self.batch_id}). 바뀐 것이 없습니다."
        r = self.report
        text = (f"{what}: 응답자 {r['respondents']:,}명, 유효 응답 {r['answers_ok']:,}개 적재(배치 {self.batch_id}). "
                f"결측 {sum(r['missing'].values()):,}개, 척도 밖 {sum(r['invalid'].values()):,}개는 점수에서 제외.")
        if self.replaced_batch:
            text += f" 같은 조사의 이전 적재(배치 {self.replaced_batch})를 대체했습니다."
        return text


def file_sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def store(con, prep: Prepared, file_name: str, sha256: str, *, loaded_by: str | None = None) -> LoadResult:
    """Write one prepared file in one transaction; same file + spec again → nothing changes; a new
    file for the same survey (name, year, wave) replaces the active batch (kept for rollback)."""
    spec = replace(prep.spec, year=prep.year)
    digest = file_sha256((prep.content_sha256 + spec.to_json()).encode())
    current = con.execute(
        "SELECT batch_id, sha256 FROM survey_batches WHERE active AND survey = ? AND year = ? AND wave = ?",
        [spec.survey, prep.year, spec.wave]).fetchone()
    if current and current[1] == digest:
        return LoadResult("unchanged", current[0], spec.survey, prep.year, spec.wave, prep.report)
    detail = json.dumps({"survey": spec.survey, "year": prep.year, "wave": spec.wave, "spec": spec.to_dict(),
                         "report": prep.report}, ensure_ascii=False)
    with transaction(con):
        batch_id = con.execute(
            """INSERT INTO load_batches (kind, file_name, sha256, rows_read, rows_inserted, rows_rejected,
                                         loaded_by, detail)
               VALUES ('survey', ?, ?, ?, ?, 0, ?, ?) RETURNING batch_id""",
            [file_name, sha256, prep.report["respondents"], len(prep.respondents), loaded_by, detail]).fetchone()[0]
        if current:
            con.execute("UPDATE survey_batches SET active = FALSE, replaced_by = ? WHERE batch_id = ?",
                        [batch_id, current[0]])
        con.execute("INSERT INTO survey_batches (batch_id, survey, year, wave, scale, overall_area, spec, sha256)"
                    " VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                    [batch_id, spec.survey, prep.year, spec.wave, spec.scale, spec.overall_area, spec.to_json(), digest])
        items = pd.DataFrame([{"item": i.column, "area": i.area, "label": i.label, "reverse": i.reverse,
                               "position": n} for n, i in enumerate(spec.items)])
        _insert(con, "survey_items", items, batch_id)
        _insert(con, "survey_respondents", prep.respondents, batch_id)
        _insert(con, "survey_answers", prep.answers, batch_id)
        _insert(con, "survey_demographics", prep.demographics, batch_id)
        _insert(con, "survey_comments", prep.comments, batch_id)
    return LoadResult("replaced" if current else "loaded", batch_id, spec.survey, prep.year, spec.wave,
                      prep.report, current[0] if current else None)


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


def load(con, source: str | Path | bytes, spec: SurveySpec | None = None, settings=None, *,
         name: str | None = None, loaded_by: str | None = None) -> LoadResult:
    """Read, validate and store one file. Raises SurveyError (nothing stored) when unusable."""
    data = Path(source).read_bytes() if not isinstance(source, bytes) else source
    file_name = name or (Path(source).name if not isinstance(source, bytes) else "upload")
    spec = spec or load_spec()
    table = read(data, file_name, spec, settings)
    prep = prepare(table, spec, settings)
    return store(con, prep, file_name, file_sha256(data), loaded_by=loaded_by)
