"""Training-record file (교육 실적: template, HR export, CP949 CSV / .xlsx / .xls) → validated rows →
store (all or nothing, one transaction, a load_batches row of kind 'training').

A record is keyed by 사번 + 과정명 + 시작일: loading a corrected file replaces the stored version (kept
for rollback, `ccm.training.rollback`); loading the same file twice changes nothing. Any rejected row
means nothing is stored: the CCM team fixes the file (each error names file, row, column and value).
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from ccm import db, privacy
from ccm.db import transaction
from ccm.training import RECORD_COLUMNS, ROLES, norm, role_of
from etl.parsing import clean_number_text, parse_datetimes
from etl.readers import ReadError, Table, known_callable, read_table

# field → (header in the template, other spellings accepted; compared by meaning)
FIELDS: dict[str, tuple[str, list[str]]] = {
    "emp_no": ("사번", ["직원번호", "사원번호", "개인번호", "직번"]),
    "name": ("성명", ["이름", "직원명", "교육생", "교육생명"]),
    "department": ("부서", ["부서명", "소속", "소속부서"]),
    "series": ("직렬", ["직종", "직군"]),
    "grade": ("직급", ["직위", "급"]),
    "role": ("역할", ["CCM 역할", "CCM역할", "구분"]),
    "institution": ("교육기관", ["기관", "교육기관명", "위탁기관", "주관기관"]),
    "course": ("과정명", ["교육과정", "교육과정명", "과정", "교육명"]),
    "start_date": ("교육시작일", ["시작일", "교육일", "교육일자", "교육기간(시작)", "시작일자"]),
    "end_date": ("교육종료일", ["종료일", "교육기간(종료)", "종료일자", "수료일"]),
    "hours": ("교육시간", ["이수시간", "학습시간", "시간", "교육시간(시간)"]),
    "refund": ("고용보험 환급 여부", ["고용보험환급", "고용보험금 환급 여부", "환급여부", "고용보험 환급"]),
    "ccm_flag": ("CCM 교육 여부", ["CCM교육", "CCM 여부", "CCM교육여부"]),
    "evidence": ("수료증 근거", ["수료증", "근거", "수료근거", "결과보고", "증빙"]),
}
REQUIRED = ("emp_no", "course", "start_date", "hours")
YES_NO = {
    "예": True,
    "y": True,
    "yes": True,
    "o": True,
    "환급": True,
    "true": True,
    "1": True,
    "해당": True,
    "아니오": False,
    "아니요": False,
    "n": False,
    "no": False,
    "x": False,
    "미환급": False,
    "false": False,
    "0": False,
    "해당없음": False,
    "비해당": False,
}
REJECT_COLUMNS = ["파일", "행", "열", "값", "사유"]
MAX_HOURS_PER_DAY = 24


class TrainingError(ValueError):
    """The file cannot be used at all (Korean message)."""


@dataclass
class Prepared:
    """Validated rows (store columns) and the rejects; nothing is stored while `rejects` is not empty."""

    file_name: str
    rows: pd.DataFrame
    rejects: pd.DataFrame
    rows_read: int
    notes: list[str] = field(default_factory=list)


@dataclass
class LoadResult:
    file_name: str
    batch_id: int | None = None
    rejects: pd.DataFrame = field(default_factory=lambda: pd.DataFrame(columns=REJECT_COLUMNS))
    counts: dict[str, int] = field(default_factory=dict)
    message: str = ""
    file_error: bool = False

    @property
    def ok(self) -> bool:
        return self.batch_id is not None

    @property
    def exit_code(self) -> int:
        """0 = stored; 1 = rows rejected (nothing stored); 2 = the file cannot be used."""
        return 0 if self.ok else 2 if self.file_error else 1


def read(data: bytes, file_name: str) -> Table:
    """The file's table (header found by the field names); run through etl.sandbox for uploads."""
    known = [n for h, alts in FIELDS.values() for n in (h, *alts)]
    return read_table(data, file_name, known=known)


def _recognise(table: Table) -> tuple[pd.DataFrame, list[str]]:
    lookup = known_callable({f: [h, *alts] for f, (h, alts) in FIELDS.items()})
    rename: dict[str, str] = {}
    for col in table.df.columns:
        f = lookup(str(col))
        if f and f not in rename.values():
            rename[col] = f
    df = table.df[list(rename)].rename(columns=rename)
    absent = [f for f in FIELDS if f not in df.columns]
    for f in absent:
        df[f] = pd.array([pd.NA] * len(df), dtype="string")
    return df[list(FIELDS)].reset_index(drop=True), absent


class _Rejects:
    def __init__(self, file_name: str) -> None:
        self.file_name, self.rows = file_name, []

    def add(self, row: int | None, f: str, value: Any, reason: str) -> None:
        shown = "" if value is None or (not isinstance(value, str) and pd.isna(value)) else str(value)
        self.rows.append({"파일": self.file_name, "행": row, "열": FIELDS[f][0], "값": shown, "사유": reason})

    def frame(self) -> pd.DataFrame:
        return pd.DataFrame(self.rows, columns=REJECT_COLUMNS).sort_values(
            "행", kind="stable", ignore_index=True
        )


def prepare(table: Table, settings) -> Prepared:
    """Validate every row; returns the rows to store and the rejects (Korean: file, row, column, value, reason)."""
    df, absent = _recognise(table)
    rows = [int(r) for r in table.rows]
    rej = _Rejects(table.file_name)
    missing = [f for f in REQUIRED if f in absent]
    if missing and len(df):
        for f in missing:
            rej.add(
                table.header_row,
                f,
                None,
                f"'{FIELDS[f][0]}' 열이 없습니다(머리글로 "
                f"{', '.join([FIELDS[f][0], *FIELDS[f][1]])} 중 하나를 쓰세요). 서식을 내려받아 맞추세요.",
            )
        return Prepared(table.file_name, pd.DataFrame(), rej.frame(), len(df), list(table.notes))
    out = pd.DataFrame(index=df.index)
    for f in REQUIRED:
        for i in df.index[df[f].isna()]:
            rej.add(rows[i], f, None, f"'{FIELDS[f][0]}' 값이 비어 있습니다.")
    out["emp_no"] = df["emp_no"].astype("object").map(lambda v: None if pd.isna(v) else _emp_no(str(v)))
    out["name"] = _text(df["name"])
    out["department"] = _departments(df, rows, settings, rej)
    out["series"], out["grade"] = _text(df["series"]), _text(df["grade"])
    out["role"] = _roles(df, rows, rej)
    out["institution"], out["course"] = _text(df["institution"]), _text(df["course"])
    out["start_date"], out["end_date"] = _dates(df, rows, rej)
    out["hours"] = _hours(df, rows, out, rej)
    out["refund"] = _yes_no(df, rows, "refund", rej)
    out["ccm_flag"] = _yes_no(df, rows, "ccm_flag", rej)
    out["evidence"] = _evidence(df["evidence"], out["name"])
    out["source_row"] = rows
    _duplicates(out, rows, df, rej)
    _one_name(out, rows, df, rej)
    return Prepared(table.file_name, out, rej.frame(), len(df), list(table.notes))


def _emp_no(v: str) -> str:
    v = v.strip()
    return v[:-2] if v.endswith(".0") and v[:-2].isdigit() else v  # 1001.0 from a numeric Excel cell


def _text(s: pd.Series) -> pd.Series:
    return s.astype("object").map(
        lambda v: None if pd.isna(v) or not str(v).strip() else " ".join(str(v).split())
    )


def _departments(df, rows, settings, rej: _Rejects) -> pd.Series:
    known = {norm(d): d for d in settings.departments}
    known.update({norm(k): v for k, v in settings.organisation.department_aliases.items()})
    out = []
    for i, v in df["department"].items():
        if pd.isna(v):
            out.append(None)
            continue
        d = known.get(norm(v))
        if d is None:
            rej.add(
                rows[i],
                "department",
                v,
                f"설정의 부서 목록에 없는 부서입니다. 허용: {', '.join(settings.departments)}",
            )
        out.append(d)
    return pd.Series(out, index=df.index, dtype="object")


def _roles(df, rows, rej: _Rejects) -> pd.Series:
    out = []
    for i, v in df["role"].items():
        r = None if pd.isna(v) else role_of(v)
        if not pd.isna(v) and r is None:
            rej.add(
                rows[i],
                "role",
                v,
                f"알 수 없는 역할입니다. 허용: {' / '.join(ROLES)} (비워 두면 설정의 명단 또는 일반)",
            )
        out.append(r)
    return pd.Series(out, index=df.index, dtype="object")


def _dates(df, rows, rej: _Rejects) -> tuple[pd.Series, pd.Series]:
    start, end = parse_datetimes(df["start_date"]), parse_datetimes(df["end_date"])
    for f, parsed in (("start_date", start), ("end_date", end)):
        for i in df.index[df[f].notna() & parsed.isna()]:
            rej.add(rows[i], f, df.at[i, f], "날짜로 읽을 수 없습니다(예: 2026-03-05).")
    end = end.fillna(start)
    for i in df.index[start.notna() & end.notna() & (end < start)]:
        rej.add(
            rows[i],
            "end_date",
            df.at[i, "end_date"],
            f"교육종료일이 교육시작일({start[i].date()})보다 앞섭니다.",
        )
    return start.dt.date.astype("object").where(start.notna(), None), end.dt.date.astype("object").where(
        end.notna(), None
    )


def _hours(df, rows, out: pd.DataFrame, rej: _Rejects) -> pd.Series:
    text = clean_number_text(df["hours"]).str.replace("시간", "", regex=False).str.strip()
    hours = pd.to_numeric(text, errors="coerce").astype("float64")
    for i in df.index[df["hours"].notna() & hours.isna()]:
        rej.add(rows[i], "hours", df.at[i, "hours"], "숫자가 아닙니다(시간 단위 숫자, 예: 3 또는 1.5).")
    for i in df.index[hours.notna() & (hours <= 0)]:
        rej.add(rows[i], "hours", df.at[i, "hours"], "교육시간은 0보다 커야 합니다.")
    for i in df.index[hours.notna() & (hours > 0)]:
        s, e = out.at[i, "start_date"], out.at[i, "end_date"]
        if s is not None and e is not None and e >= s and hours[i] > MAX_HOURS_PER_DAY * ((e - s).days + 1):
            rej.add(
                rows[i],
                "hours",
                df.at[i, "hours"],
                f"교육기간({(e - s).days + 1}일)에 들어갈 수 없는 시간입니다(하루 최대 {MAX_HOURS_PER_DAY}시간).",
            )
    return hours


def _yes_no(df, rows, f: str, rej: _Rejects) -> pd.Series:
    out = []
    for i, v in df[f].items():
        b = None if pd.isna(v) else YES_NO.get(norm(v))
        if not pd.isna(v) and b is None:
            rej.add(rows[i], f, v, "예 또는 아니오로 적으세요(비워 두어도 됩니다).")
        out.append(b)
    return pd.Series(out, index=df.index, dtype="object")


def _evidence(s: pd.Series, names: pd.Series) -> pd.Series:
    """Free text: phone numbers, e-mails and resident numbers masked; any name of the file → [이름]."""
    known = sorted({n for n in names.dropna() if len(n) >= 2}, key=len, reverse=True)

    def clean(v):
        if pd.isna(v) or not str(v).strip():
            return None
        text = privacy.mask_text(str(v).strip())
        for n in known:
            if n in text:
                text = text.replace(n, privacy.NAME_MASK)
        return text

    return s.astype("object").map(clean)


def _duplicates(out: pd.DataFrame, rows, df, rej: _Rejects) -> None:
    key = out[["emp_no", "course", "start_date"]]
    full = key.notna().all(axis=1)
    dup = key.duplicated(keep="first") & full
    for i in out.index[dup]:
        first = out.index[(key == key.loc[i]).all(axis=1)][0]
        rej.add(
            rows[i],
            "course",
            df.at[i, "course"],
            f"같은 사번·과정명·시작일의 기록이 {rows[first]}행에도 있습니다(중복).",
        )


def _one_name(out: pd.DataFrame, rows, df, rej: _Rejects) -> None:
    """One 사번, one name: two names under one 사번 is a typing error in one of them."""
    named = out[out["emp_no"].notna() & out["name"].notna()]
    first = named.drop_duplicates("emp_no").set_index("emp_no")["name"]
    for i in named.index[named["name"].values != named["emp_no"].map(first).values]:
        j = named.index[named["emp_no"] == out.at[i, "emp_no"]][0]
        rej.add(
            rows[i],
            "name",
            df.at[i, "name"],
            f"사번 {out.at[i, 'emp_no']}의 성명이 {rows[j]}행과 다릅니다. 사번 또는 성명을 확인하세요.",
        )


# ---------------------------------------------------------------------------------------------
# dry run and store

STORE = ["batch_id", "source_row", *RECORD_COLUMNS]  # the stored record: one list, in ccm.training
COMPARE = [c for c in STORE if c not in ("batch_id", "source_row")]
_TYPES = {
    "source_row": "INTEGER",
    "start_date": "DATE",
    "end_date": "DATE",
    "hours": "DOUBLE",
    "refund": "BOOLEAN",
    "ccm_flag": "BOOLEAN",
}


def _plan(con, rows: pd.DataFrame) -> None:
    """Temp table _training_cmp: each new row with whether it exists and is unchanged."""
    new = rows[[c for c in STORE if c != "batch_id"]].copy()
    con.register("_training_new", new)
    casts = ", ".join(f"{c}::{_TYPES.get(c, 'VARCHAR')} AS {c}" for c in new.columns)
    con.execute(f"CREATE OR REPLACE TEMP TABLE _training_plan AS SELECT {casts} FROM _training_new")
    con.unregister("_training_new")
    same = " AND ".join(f"o.{c} IS NOT DISTINCT FROM p.{c}" for c in COMPARE)
    con.execute(f"""CREATE OR REPLACE TEMP TABLE _training_cmp AS
        SELECT p.*, o.emp_no IS NOT NULL AS existed, coalesce({same}, FALSE) AS same
        FROM _training_plan p LEFT JOIN training_records o
          ON o.emp_no = p.emp_no AND o.course = p.course AND o.start_date = p.start_date""")


def _counts(con) -> dict[str, int]:
    new, changed, same = con.execute(
        "SELECT count(*) FILTER (NOT existed), count(*) FILTER (existed AND NOT same), count(*) FILTER (same) "
        "FROM _training_cmp"
    ).fetchone()
    return {"inserted": int(new), "updated": int(changed), "unchanged": int(same)}


def dry_run(con, prep: Prepared) -> dict[str, int]:
    """What a load would do (new, changed, unchanged records; people), writing nothing."""
    if prep.rows.empty:
        return {"inserted": 0, "updated": 0, "unchanged": 0, "people": 0}
    _plan(con, prep.rows)
    counts = _counts(con)
    con.execute("DROP TABLE _training_cmp")
    con.execute("DROP TABLE _training_plan")
    return {**counts, "people": int(prep.rows["emp_no"].nunique())}


def store(con, prep: Prepared, sha: str, loaded_by: str | None) -> tuple[int, dict[str, int]]:
    """One transaction: a load_batches row, replaced versions kept, new and changed rows written."""
    if not prep.rejects.empty:
        raise TrainingError(f"{prep.file_name}: 오류가 있는 행이 있어 저장하지 않습니다.")
    with transaction(con):
        batch_id = con.execute(
            "INSERT INTO load_batches (kind, file_name, sha256, rows_read, loaded_by) VALUES ('training', ?, ?, ?, ?) "
            "RETURNING batch_id",
            [prep.file_name, sha, prep.rows_read, loaded_by],
        ).fetchone()[0]
        _plan(con, prep.rows)
        changed = (
            "EXISTS (SELECT 1 FROM _training_cmp p WHERE p.existed AND NOT p.same AND o.emp_no = p.emp_no "
            "AND o.course = p.course AND o.start_date = p.start_date)"
        )
        con.execute(
            f"INSERT INTO training_records_replaced SELECT o.*, ? FROM training_records o WHERE {changed}",
            [batch_id],
        )
        con.execute(f"DELETE FROM training_records o WHERE {changed}")
        cols = ", ".join(c for c in STORE if c != "batch_id")
        con.execute(
            f"INSERT INTO training_records (batch_id, {cols}) SELECT ?, {cols} FROM _training_cmp "
            "WHERE NOT existed OR NOT same",
            [batch_id],
        )
        counts = _counts(con)
        con.execute("DROP TABLE _training_cmp")
        con.execute("DROP TABLE _training_plan")
        con.execute(
            "UPDATE load_batches SET rows_inserted = ?, rows_updated = ?, rows_unchanged = ?, detail = ? "
            "WHERE batch_id = ?",
            [
                counts["inserted"],
                counts["updated"],
                counts["unchanged"],
                json.dumps({"notes": prep.notes}, ensure_ascii=False),
                batch_id,
            ],
        )
    return batch_id, counts


def load(
    source: bytes | str | Path,
    db_path: str | Path,
    settings,
    *,
    file_name: str | None = None,
    loaded_by: str | None = None,
) -> LoadResult:
    """Read, validate and store one training file. Any rejected row → nothing stored."""
    if not isinstance(source, bytes):
        file_name = file_name or Path(source).name
        source = Path(source).read_bytes()
    file_name = file_name or "upload.xlsx"
    result = LoadResult(file_name)
    try:
        prep = prepare(read(source, file_name), settings)
    except ReadError as exc:
        result.message, result.file_error = str(exc), True
        return result
    return finish(prep, source, db_path, loaded_by)


def finish(prep: Prepared, data: bytes, db_path: str | Path, loaded_by: str | None) -> LoadResult:
    """Store a prepared file (the upload page prepares in the sandbox, then calls this)."""
    result = LoadResult(prep.file_name, rejects=prep.rejects)
    if prep.rows_read == 0:
        result.message, result.file_error = f"{prep.file_name}: 적재할 행이 없습니다.", True
        return result
    if not prep.rejects.empty:
        result.file_error = prep.rows.empty  # a required column missing: the file as a whole
        result.message = (
            f"{prep.file_name}: {len(prep.rejects)}건의 오류가 있어 아무것도 저장하지 않았습니다. "
            "교육 실적 파일은 전부 적재되거나 전혀 적재되지 않습니다 — 오류를 고친 뒤 다시 올리세요."
        )
        return result
    with db.session(db_path) as con:
        result.batch_id, result.counts = store(con, prep, hashlib.sha256(data).hexdigest(), loaded_by)
    c = result.counts
    result.message = (
        f"{prep.file_name}: 교육 기록 {len(prep.rows):,}건({prep.rows['emp_no'].nunique():,}명)을 "
        f"적재했습니다(새로 {c['inserted']}, 변경 {c['updated']}, 그대로 {c['unchanged']}; "
        f"적재 번호 {result.batch_id})."
    )
    return result


def read_prepared(data: bytes, file_name: str, settings) -> Prepared:
    """Read and validate (the upload page runs this in etl.sandbox's child process)."""
    return prepare(read(data, file_name), settings)
