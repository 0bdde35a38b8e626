"""VOC loader: read → normalise → validate → store (one transaction), then enrich.

`prepare` turns one export into canonical rows and row-level rejects without touching the database;
`store` upserts prepared files by voc_id in one transaction (one batch per file); `load` does both
and is what the CLI and the upload page call.
"""
from __future__ import annotations

import contextlib
import re
import getpass
import hashlib
import json
import threading
import time
from collections.abc import Callable, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

import duckdb
import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from ccm import db, privacy
from ccm.safe_text import inert_frame
from ccm.voc import ITEM_NAMES
from etl import diagnose
from etl import mapping as mp
from etl.readers import (DateTimes, ReadError, Table, clean_number_text, combine_date_time_report, filter_rows,
                          matches, read_table, replace)

STATUS_RANK = {"접수": 0, "처리중": 1, "완료": 2}
STORED = ["voc_id", "received_at", "completed_at", "voc_type", "channel", "department", "facility", "status",
          "title", "content", "answer", "customer_key", "clock_start", "due_at", "deadline_minutes",
          "work_minutes", "sla_met", "sla_rule", "source_row", "export_as_of"]
COMPARED = [c for c in STORED if c not in ("source_row", "export_as_of")]
REJECT_COLUMN = "오류"

Progress = Callable[[float, str], None]
_STORE_LOCK = threading.Lock()  # one upsert at a time per process (DuckDB's file lock covers processes)


@dataclass
class Prepared:
    """One export, normalised and validated, not yet stored."""

    file_name: str
    sha256: str
    table: Table
    plan: mp.ColumnPlan
    normalised: pd.DataFrame              # STORED columns, every row read
    rejects: pd.DataFrame                 # 파일, 행, 열, 값, 사유 — one line per problem
    keep: np.ndarray = field(default_factory=lambda: np.zeros(0, bool))  # rows to store: one per voc_id
    warnings: list[str] = field(default_factory=list)
    unknown_values: dict[str, dict[str, int]] = field(default_factory=dict)
    seconds: float = 0.0
    merged: int = 0                       # valid rows folded into another row of the same 접수번호
    closed_without_time: int = 0          # stored as 완료 with no completion time (kept rows)

    @property
    def rows_read(self) -> int:
        return len(self.table.rows)

    @property
    def items(self) -> pd.DataFrame:
        """The rows to store (a copy; the store itself filters inside DuckDB)."""
        return filter_rows(self.normalised, self.keep).reset_index(drop=True)

    @property
    def rows_kept(self) -> int:
        return int(self.keep.sum())

    @property
    def rows_rejected(self) -> int:
        return int(self.rejects["행"].nunique()) if len(self.rejects) else 0

    def release_rows(self) -> None:
        """Drop the rows themselves (counts, warnings and rejects stay) once stored and written out, so
        the long keyword analysis that follows does not hold a large file's rows in memory."""
        self.table.df = self.table.df.iloc[:0]
        self.normalised = self.normalised.iloc[:0]

    def rejected_rows(self) -> pd.DataFrame:
        """The rejected rows with the source's columns plus an 오류 column: fix and load again. Nothing in
        clear: identity columns are blank and their keyed hash is in a 고객키 column (so the fixed row
        stores the same customer key), texts are as they would be stored (masked), other cells masked,
        and no cell starts like a formula (the loader drops that quote again)."""
        if len(self.table.df) != len(self.table.rows):
            raise RuntimeError("release_rows() 뒤에는 오류 행을 다시 만들 수 없습니다.")
        if not len(self.rejects):
            return self.table.df.iloc[:0].assign(**{REJECT_COLUMN: pd.Series(dtype="string")})
        reasons = self.rejects.assign(msg=self.rejects["열"] + ": " + self.rejects["사유"])
        by_row = reasons.groupby("행", sort=True)["msg"].agg(" / ".join)
        pos = pd.Series(np.arange(len(self.table.rows)), index=self.table.rows).loc[by_row.index].to_numpy()
        out = self.table.df.iloc[pos].reset_index(drop=True)
        stored = self.normalised.iloc[pos].reset_index(drop=True)
        texts = {self.plan.fields[f]: f for f in TEXTS if f in self.plan.fields}
        for c in out.columns:
            if c in self.plan.drop or c in self.plan.hash:
                out[c] = pd.Series(pd.NA, index=out.index, dtype="string")
            else:
                out[c] = stored[texts[c]] if c in texts else privacy.mask_series(out[c].astype("string"))
        if self.plan.hash:
            out[mp.FIELD_LABELS["customer_key"]] = stored["customer_key"]
        return inert_frame(out.assign(**{REJECT_COLUMN: by_row.to_numpy()}))

    def detail(self) -> dict:
        t = self.table
        return {"mapping": self.plan.as_dict(), "encoding": t.encoding, "sheet": t.sheet,
                "header_row": t.header_row, "warnings": self.warnings, "unknown_values": self.unknown_values,
                "merged": self.merged, "closed_without_time": self.closed_without_time,
                "rejects_by_reason": self.rejects["사유"].value_counts().to_dict() if len(self.rejects) else {}}


@dataclass
class BatchResult:
    file_name: str
    batch_id: int | None
    rows_read: int
    inserted: int = 0
    updated: int = 0
    unchanged: int = 0
    rejected: int = 0
    kept_newer: int = 0               # rows of an older export that did not overwrite a newer version
    merged: int = 0                   # rows folded into another row of the same 접수번호 in the file
    closed_without_time: int = 0      # stored as 완료 with no completion time


@dataclass
class LoadReport:
    batches: list[BatchResult]
    prepared: list[Prepared]
    strict_blocked: bool = False
    rejects_files: list[Path] = field(default_factory=list)
    timings: dict[str, float] = field(default_factory=dict)
    enriched: int = 0

    @property
    def exit_code(self) -> int:
        return 1 if self.strict_blocked or any(b.rejected for b in self.batches) else 0


# --- prepare ---------------------------------------------------------------------------------------

def prepare(source: str | Path | bytes, settings, mapping: mp.MappingFile | None = None,
            name: str | None = None, strict: bool = False) -> Prepared:
    """Read, map, normalise and validate one file (no database). Raises ReadError if unusable.
    With strict, a row closed without a completion time is rejected instead of stored."""
    t0 = time.perf_counter()
    name = name or (Path(source).name if not isinstance(source, bytes) else "upload")
    data = source if isinstance(source, bytes) else Path(source).read_bytes()  # read once: hashed and parsed
    with ThreadPoolExecutor(max_workers=1) as pool:  # hashlib releases the GIL: hashed while being parsed
        digest = pool.submit(lambda: hashlib.sha256(data).hexdigest())
        table = read_table(data, name, known=mp.recognises(settings, mapping))
    sha = digest.result()
    del data
    _restore_quoted(table)
    plan = mp.detect_columns(table.df.columns, settings, mapping, table.df)
    if not len(table.df):
        raise ReadError(f"{name}: 머리글({table.header_row}행) 아래에 데이터 행이 없습니다.")
    if plan.missing():
        raise ReadError(diagnose.missing_fields(name, table, plan, settings))
    prep = Prepared(name, sha, table, plan, pd.DataFrame(), pd.DataFrame())
    prep.warnings += table.notes + plan.notes
    prep.normalised, prep.rejects, prep.keep = _normalise(prep, settings, mapping, strict)
    pa.default_memory_pool().release_unused()  # the intermediate columns' pages back to the OS before storing
    prep.seconds = time.perf_counter() - t0
    return prep


def _restore_quoted(table: Table) -> None:
    """Drop the quote our own downloads put before a cell that starts like a formula (a fixed rejects
    file comes back as it went out), so the stored text is the text, not the quote."""
    for c in table.df.columns:
        arr = pa.array(table.df[c], from_pandas=True)
        if pc.any(pc.starts_with(arr, "'")).as_py():
            fixed = pc.replace_substring_regex(arr, r"^'([=+\-@\t\r])", r"\1")
            table.df[c] = pd.Series(pd.arrays.ArrowStringArray(pc.cast(fixed, pa.large_string())),
                                    index=table.df.index, dtype="string")


class _Rejects:
    def __init__(self, prep: Prepared):
        self.prep, self.parts = prep, []

    def add(self, mask: pd.Series, fld: str, reason: str, values: pd.Series | None = None) -> None:
        mask = mask.fillna(False).astype(bool)
        if not mask.any():
            return
        src = self.prep.plan.fields.get(fld, mp.FIELD_LABELS.get(fld, fld))
        vals = (values if values is not None else self.prep.table.df[src])[mask]
        self.parts.append(pd.DataFrame({
            "파일": self.prep.file_name, "행": self.prep.table.rows[mask.to_numpy()],
            "열": src, "값": privacy.mask_series(vals.astype("string")).fillna("").to_numpy(), "사유": reason,
        }))

    def frame(self) -> pd.DataFrame:
        if not self.parts:
            return pd.DataFrame(columns=["파일", "행", "열", "값", "사유"])
        return pd.concat(self.parts, ignore_index=True).sort_values(["행", "열"], kind="stable", ignore_index=True)


def _col(prep: Prepared, fld: str) -> pd.Series | None:
    src = prep.plan.fields.get(fld)
    return prep.table.df[src] if src is not None else None


TEXTS = ("title", "content", "answer")  # free text: personal data masked before storage


def _normalise(prep: Prepared, settings, mapping, strict: bool) -> tuple[pd.DataFrame, pd.DataFrame, np.ndarray]:
    """Each field is normalised on its own (pyarrow and DuckDB release the GIL: both cores work), then
    the rows are validated, deduplicated and given their SLA figures."""
    with ThreadPoolExecutor(max_workers=2) as pool:
        # first: the rows whose texts hold the customer's own name, which the text jobs then mask
        names = pool.submit(privacy.find_names, [_col(prep, f) if _col(prep, f) is not None else _na(prep) for f in TEXTS],
                            [prep.table.df[c] for c in prep.plan.hash], list(settings["privacy"].get("not_names", [])))
        jobs = {
            "customer_key": (_customer_key, prep, settings),
            "content": (_masked, prep, "content", names),
            "received": (_datetime, prep, mapping, "received_at", "received_time"),
            "completed": (_datetime, prep, mapping, "completed_at", "completed_time"),
            "title": (_masked, prep, "title", names),
            "answer": (_masked, prep, "answer", names),
            "voc_id": (_voc_id, prep),
            **{f: (_mapped, prep, settings, mapping, f) for f in ("voc_type", "channel", "facility", "department",
                                                                 "status")},
        }
        futures = {name: pool.submit(*job) for name, job in jobs.items()}
        return _normalise_rows(prep, settings, {name: f.result for name, f in futures.items()}, pool.submit, strict)


def _normalise_rows(prep: Prepared, settings, done: dict[str, Callable],
                    submit: Callable, strict: bool) -> tuple[pd.DataFrame, pd.DataFrame, np.ndarray]:
    df, rej = prep.table.df, _Rejects(prep)
    out = pd.DataFrame(index=df.index)

    out["voc_id"] = done["voc_id"]()
    rej.add(out["voc_id"].isna(), "voc_id", "접수번호가 비어 있습니다")

    received = done["received"]()
    out["received_at"], bad_rt = received.values, received.bad_time
    raw_recv = _col(prep, "received_at")
    rej.add(raw_recv.isna(), "received_at", "접수일시가 비어 있습니다")
    rej.add(raw_recv.notna() & out["received_at"].isna(), "received_at", "접수일시를 날짜로 읽을 수 없습니다")
    if bad_rt.any():
        rej.add(bad_rt, "received_time", "접수시간을 시각으로 읽을 수 없습니다")

    completed = done["completed"]()
    out["completed_at"], bad_ct = _end_of_day(completed.values, completed.date_only, settings), completed.bad_time
    for fld, dates in (("received_at", received), ("completed_at", completed)):
        if dates.note:
            prep.warnings.append(f"{prep.plan.fields[fld]} 열: {dates.note}")
    raw_done = _col(prep, "completed_at")
    if raw_done is not None:
        rej.add(raw_done.notna() & out["completed_at"].isna(), "completed_at", "처리일시를 날짜로 읽을 수 없습니다")
        rej.add(out["completed_at"] < out["received_at"], "completed_at",
                "처리일시가 접수일시보다 빠릅니다(데이터 오류)")
    if bad_ct.any():
        rej.add(bad_ct, "completed_time", "처리시각을 시각으로 읽을 수 없습니다")

    raw_type = _col(prep, "voc_type")
    out["voc_type"], _ = done["voc_type"]()
    if raw_type is not None:
        types = ", ".join(settings["voc"]["types"])
        default = prep.plan.defaults.get("voc_type")
        if default:  # a [defaults] voc_type fills the rows whose type cell is blank
            out["voc_type"] = out["voc_type"].where(raw_type.notna(), default)
        else:
            rej.add(raw_type.isna(), "voc_type", "유형이 비어 있습니다")
        rej.add(raw_type.notna() & out["voc_type"].isna(), "voc_type",
                f"알 수 없는 유형입니다(표준: {types}; 매핑 파일 [values.voc_type]으로 지정)")
    sla = submit(_sla_columns, out["received_at"], out["completed_at"], out["voc_type"], settings)  # all rows

    for fld in ("channel", "facility", "department"):
        out[fld] = _kept_value(prep, fld, *done[fld]())
    fac_dept = mp.map_values(out["facility"], settings.facilities.get)
    out["department"] = out["department"].fillna(fac_dept)

    out["status"] = _status(prep, out, rej, strict, *done["status"]())
    for fld in ("title", "content", "answer", "customer_key"):
        out[fld] = done[fld]()
    out["source_row"] = prep.table.rows.astype("int32")

    rejects = rej.frame()
    ok = ~np.isin(prep.table.rows, rejects["행"].to_numpy())
    keep = _dedupe(prep, out, ok)
    prep.merged = int(ok.sum() - keep.sum())
    no_time = (out["status"] == "완료").to_numpy(dtype=bool, na_value=False) & out["completed_at"].isna().to_numpy()
    prep.closed_without_time = int((no_time & keep).sum())
    kept_times = pd.concat([out["received_at"][keep], out["completed_at"][keep]])
    out["export_as_of"] = kept_times.max() if kept_times.notna().any() else pd.NaT
    out = pd.concat([out, sla.result()], axis=1)
    return out[STORED].reset_index(drop=True), rejects, keep


def _na(prep: Prepared) -> pd.Series:
    return pd.Series(pd.NA, index=prep.table.df.index, dtype="string")


def _voc_id(prep: Prepared) -> pd.Series:
    return replace(clean_number_text(_col(prep, "voc_id")), r"\s+", "")


def _datetime(prep: Prepared, mapping, date_field: str, time_field: str) -> DateTimes:
    """A date column (+ its time column) read, in the format the mapping's [formats] forces, if any."""
    d = _col(prep, date_field)
    if d is None:
        index = prep.table.df.index
        return DateTimes(pd.Series(pd.NaT, index=index, dtype="datetime64[us]"), np.zeros(len(index), bool),
                         bad_time=pd.Series(False, index=index))
    fmt = mapping.formats.get(date_field) if mapping else None
    return combine_date_time_report(d, _col(prep, time_field), fmt)


def _mapped(prep: Prepared, settings, mapping, fld: str) -> tuple[pd.Series | None, pd.Series | None]:
    """(canonical value, NA where unknown or blank; the unknown values' counts), or (None, None) if
    the file has no such column."""
    raw = _col(prep, fld)
    if raw is None:
        default = prep.plan.defaults.get(fld)
        return (None, None) if default is None else (pd.Series(default, index=prep.table.df.index, dtype="string"), None)
    mapped = mp.map_values(raw, mp.value_lookup(settings, fld, mapping))
    unknown = raw.notna() & mapped.isna()
    return mapped, (raw[unknown].value_counts() if unknown.any() else None)


def _kept_value(prep: Prepared, fld: str, mapped: pd.Series | None, unknown: pd.Series | None) -> pd.Series:
    """Canonical value where known; unknown values are kept and reported — except a value that reads
    like free text (a shifted column: not stored) or holds personal data (stored masked)."""
    if mapped is None:
        return _na(prep)
    raw = _col(prep, fld)
    if unknown is None:
        return mapped if raw is None else mapped.fillna(raw)
    screened = {v: _screen(str(v)) for v in unknown.index}
    kept = {v: s for v, s in screened.items() if s is not None}
    if kept:
        counts = {kept[v]: int(unknown[v]) for v in kept}
        prep.unknown_values[fld] = dict(list(counts.items())[:50])
        listed = ", ".join(f"{k}({n}건)" for k, n in list(counts.items())[:10])
        prep.warnings.append(f"설정에 없는 {mp.FIELD_LABELS[fld]} 값은 그대로 저장했습니다(화면에서는 '미등록'): {listed}")
    text_like = [v for v, s in screened.items() if s is None]
    if text_like:
        rows = prep.table.rows[raw.isin(text_like).to_numpy()]
        prep.warnings.append(f"{mp.FIELD_LABELS[fld]} 열에 문장처럼 보이는 값 {len(rows):,}건"
                             f"({_row_list(rows)})은 저장하지 않았습니다: 열이 밀린 행일 수 있습니다")
    todo = (mapped.isna() & raw.notna()).to_numpy()
    out = mapped.copy()
    out[todo] = mp.map_values(raw[todo], screened.get).to_numpy()
    return out


def _screen(value: str) -> str | None:
    """None for a value that reads like a sentence; the value with personal data masked otherwise."""
    words = value.split()
    if len(value) > 30 or len(words) >= 5 or SENTENCE.search(value):
        return None
    return privacy.mask_text(value)


SENTENCE = re.compile(r"(니다|어요|아요|해요|세요|네요|습니까|는데|었음|했음)[.!?~]*$|[.!?]\s+\S")


def _row_list(rows: np.ndarray, limit: int = 5) -> str:
    shown = ", ".join(f"{r}행" for r in rows[:limit])
    return shown + (f" 외 {len(rows) - limit:,}건" if len(rows) > limit else "")


def _status(prep: Prepared, out: pd.DataFrame, rej: _Rejects, strict: bool, mapped: pd.Series | None,
            unknown_counts: pd.Series | None) -> pd.Series:
    """완료 where a completion time exists; else the file's status. A 완료 row without a completion time
    stays 완료 (closed, time unknown: outside met/breached), or is rejected with strict."""
    done = out["completed_at"].notna()
    derived = pd.Series(np.where(done, "완료", "접수"), index=out.index, dtype="string")
    if mapped is None:
        if _col(prep, "completed_at") is None:
            prep.warnings.append(diagnose.no_progress(prep.table, prep.plan))
        return derived
    raw = _col(prep, "status")
    unknown = mapped.isna() if raw is None else raw.notna() & mapped.isna()
    if unknown_counts is not None:
        listed = ", ".join(f"{k}({v}건)" for k, v in unknown_counts.head(10).items())
        listed = privacy.mask_text(listed)
        prep.warnings.append(f"알 수 없는 처리상태 값은 처리일시로 판단했습니다: {listed}")
    closed_no_time = (mapped == "완료").fillna(False) & ~done
    if closed_no_time.any():
        if strict:
            rej.add(closed_no_time, "status", "처리상태가 완료인데 처리일시가 없습니다(--strict)")
        if _col(prep, "completed_at") is None:
            prep.warnings.append(diagnose.no_completion_column(prep.table, prep.plan, int(closed_no_time.sum())))
    status = mapped.where(~done, "완료").fillna(derived)
    return status.where(~(unknown & ~done), "처리중")


def _end_of_day(completed: pd.Series, date_only: np.ndarray, settings) -> pd.Series:
    """A completion given as a date alone means the end of that business day (setting
    [voc.load] date_only_completion, default the calendar's work_end), never 00:00."""
    if not date_only.any():
        return completed
    at = settings["voc"].get("load", {}).get("date_only_completion") or settings["calendar"]["work_end"]
    hours, minutes = (int(x) for x in str(at).split(":")[:2])
    shift = pd.Series(np.where(date_only, (hours * 60 + minutes) * 60_000_000, 0).astype("timedelta64[us]"),
                      index=completed.index)
    return completed + shift


def _masked(prep: Prepared, fld: str, names: Future) -> pd.Series:
    s = _col(prep, fld)
    return _na(prep) if s is None else privacy.mask_series(s, names.result()[TEXTS.index(fld)])


def _customer_key(prep: Prepared, settings) -> pd.Series:
    """Keyed hash of the identity columns (name, phone…), so repeat customers can be counted."""
    given = _col(prep, "customer_key")  # a fixed rejects file brings the key its blanked identity columns had
    given = None if given is None else given.where(matches(given, r"^[0-9a-f]{16,64}$"))
    cols = [pc.cast(pa.array(prep.table.df[c], from_pandas=True), pa.large_string()).fill_null("")
            for c in prep.plan.hash]
    if not cols:
        return given if given is not None else pd.Series(pd.NA, index=prep.table.df.index, dtype="string")
    joined = pc.binary_join_element_wise(*cols, pa.scalar("|", pa.large_string()))
    ident = pd.Series(pd.arrays.ArrowStringArray(joined), index=prep.table.df.index, dtype="string")
    ident = ident.mask(matches(ident, r"^\|*$"))
    keys = privacy.hash_series(ident, settings.secret_key())
    return keys if given is None else keys.fillna(given)


def _dedupe(prep: Prepared, out: pd.DataFrame, ok: np.ndarray) -> np.ndarray:
    """The rows to keep: the valid ones (`ok`) where a 접수번호 that appears twice in the file keeps
    only its most advanced row (status, completion, last row)."""
    ids = out["voc_id"].where(ok)
    dup = (ids.duplicated(keep=False) & ids.notna()).to_numpy()
    if not dup.any():
        return ok
    d = out.loc[dup, ["voc_id", "status", "completed_at", "source_row"]]
    d = d.assign(_rank=d["status"].map(STATUS_RANK).astype("int8"))
    order = d.sort_values(["voc_id", "_rank", "completed_at", "source_row"], na_position="first", kind="stable")
    drop = order.index[order["voc_id"].duplicated(keep="last").to_numpy()]
    ids = pd.unique(d["voc_id"])
    prep.warnings.append(f"같은 접수번호가 파일에 두 번 이상 있습니다({len(ids)}건: {', '.join(map(str, ids[:5]))}"
                         f"{' 외' if len(ids) > 5 else ''}); 가장 진행된 행을 적재했습니다")
    return ok & ~out.index.isin(drop)


def _sla_columns(received_at: pd.Series, completed_at: pd.Series, voc_type: pd.Series, settings) -> pd.DataFrame:
    from ccm import sla

    return sla.compute(received_at, completed_at, voc_type, settings)


# --- store -----------------------------------------------------------------------------------------

def store(con: duckdb.DuckDBPyConnection, preps: Sequence[Prepared], *, loaded_by: str | None = None,
          progress: Progress | None = None) -> list[BatchResult]:
    """Upsert every prepared file (one batch each) in one transaction: all or nothing."""
    results = []
    try:
        with _STORE_LOCK, db.transaction(con):
            for i, prep in enumerate(preps):
                if progress:
                    progress(i / max(len(preps), 1), f"{prep.file_name} 저장 중…")
                results.append(_store_one(con, prep, loaded_by))
    except BaseException:
        with contextlib.suppress(duckdb.Error):
            con.execute("DROP VIEW IF EXISTS _incoming")
            con.unregister("_normalised")
        raise
    return results


def _store_one(con: duckdb.DuckDBPyConnection, prep: Prepared, loaded_by: str | None) -> BatchResult:
    batch_id = con.execute(
        """INSERT INTO load_batches (kind, file_name, sha256, rows_read, rows_rejected, loaded_by, detail)
           VALUES ('voc', ?, ?, ?, ?, ?, ?) RETURNING batch_id""",
        [prep.file_name, prep.sha256, prep.rows_read, prep.rows_rejected, loaded_by,
         json.dumps(prep.detail(), ensure_ascii=False, default=str)],
    ).fetchone()[0]
    rows = pa.Table.from_pandas(prep.normalised, preserve_index=False).append_column("_keep", pa.array(prep.keep))
    con.register("_normalised", rows)  # an arrow scan: parallel, and filtered there rather than copied
    con.execute("CREATE OR REPLACE TEMP VIEW _incoming AS SELECT * EXCLUDE (_keep) FROM _normalised WHERE _keep")
    dup = con.execute("SELECT any_value(voc_id) FROM _incoming GROUP BY voc_id HAVING count(*) > 1 LIMIT 1").fetchall()
    if dup:  # prepare() keeps one row per 접수번호; voc_items has no PRIMARY KEY to catch a slip
        raise ValueError(f"{prep.file_name}: 접수번호 {dup[0][0]}의 행이 둘 이상이라 저장하지 않았습니다.")
    same = " AND ".join(f"i.{c} IS NOT DISTINCT FROM v.{c}" for c in COMPARED)
    ranks = "CASE {} WHEN '완료' THEN 2 WHEN '처리중' THEN 1 ELSE 0 END"
    con.execute(f"""CREATE OR REPLACE TEMP TABLE _action AS
        SELECT i.voc_id,
               CASE WHEN v.voc_id IS NULL THEN 'insert'
                    WHEN {ranks.format('i.status')} < {ranks.format('v.status')} THEN 'older'
                    WHEN {ranks.format('i.status')} = {ranks.format('v.status')}
                         AND i.export_as_of < v.export_as_of THEN 'older'
                    WHEN {same} THEN 'same'
                    ELSE 'update' END AS action
        FROM _incoming i LEFT JOIN voc_items v ON v.voc_id = i.voc_id""")
    counts = dict(con.execute("SELECT action, count(*) FROM _action GROUP BY action").fetchall())
    cols = ", ".join(STORED)
    item_cols = ", ".join(ITEM_NAMES)
    con.execute(f"""INSERT INTO voc_items_replaced ({item_cols}, replaced_by_batch)
        SELECT {', '.join('v.' + c for c in ITEM_NAMES)}, {batch_id} FROM voc_items v JOIN _action a ON a.voc_id = v.voc_id
        WHERE a.action = 'update'""")
    sets = ", ".join(f"{c} = i.{c}" for c in STORED if c != "voc_id")
    con.execute(f"""UPDATE voc_items SET {sets}, updated_batch_id = {batch_id}
        FROM _incoming i JOIN _action a ON a.voc_id = i.voc_id
        WHERE a.action = 'update' AND voc_items.voc_id = i.voc_id""")
    con.execute(f"""INSERT INTO voc_items ({cols}, batch_id, updated_batch_id)
        SELECT {', '.join('i.' + c for c in STORED)}, {batch_id}, NULL
        FROM _incoming i JOIN _action a ON a.voc_id = i.voc_id WHERE a.action = 'insert'""")
    con.execute("DROP VIEW _incoming")
    con.unregister("_normalised")
    res = BatchResult(prep.file_name, batch_id, prep.rows_read, counts.get("insert", 0), counts.get("update", 0),
                      counts.get("same", 0) + counts.get("older", 0), prep.rows_rejected, counts.get("older", 0),
                      prep.merged, prep.closed_without_time)
    if res.kept_newer:
        prep.warnings.append(f"이미 더 새로운 내용으로 저장된 {res.kept_newer}건은 이 파일(더 오래된 내보내기)의 내용으로 "
                             "덮어쓰지 않았습니다")
    con.execute(
        """UPDATE load_batches SET rows_inserted = ?, rows_updated = ?, rows_unchanged = ?, detail = ?
           WHERE batch_id = ?""",
        [res.inserted, res.updated, res.unchanged, json.dumps(prep.detail(), ensure_ascii=False, default=str),
         batch_id],
    )
    return res


# --- load (CLI and upload page) -------------------------------------------------------------------

def load(db_path: str | Path, sources: Sequence[str | Path | tuple[str, bytes]], settings, *,
         mapping: mp.MappingFile | None = None, strict: bool = False, loaded_by: str | None = None,
         rejects_dir: str | Path | None = None, progress: Progress | None = None,
         prepared: Sequence[Prepared] | None = None, enrich: bool = True, keep_rows: bool = True) -> LoadReport:
    """Prepare every file (ReadError if any is unusable: nothing written), store, write rejects, enrich.

    sources: paths, or (name, bytes) pairs from an upload. With strict, any rejected row stores nothing.
    keep_rows=False releases the prepared rows once stored (the CLI; a page keeps them to offer the
    rejected rows for download).
    """
    timings: dict[str, float] = {}
    t0 = time.perf_counter()
    preps = list(prepared) if prepared is not None else []
    if prepared is None:
        for i, src in enumerate(sources):
            name, data = (src if isinstance(src, tuple) else (Path(src).name, Path(src)))
            if progress:
                progress(0.5 * i / max(len(sources), 1), f"{name} 읽는 중…")
            preps.append(prepare(data, settings, mapping, name=name, strict=strict))
            del data
    timings["읽기·검증"] = time.perf_counter() - t0
    report = LoadReport([], preps, timings=timings)
    if rejects_dir is not None:
        report.rejects_files = write_rejects(preps, rejects_dir, settings)
    if strict and any(p.rows_rejected for p in preps):
        report.strict_blocked = True
        report.batches = [BatchResult(p.file_name, None, p.rows_read, rejected=p.rows_rejected, merged=p.merged)
                          for p in preps]
        return report
    t1 = time.perf_counter()
    loaded_by = loaded_by or _user() or "알 수 없음"
    with db.session(db_path) as con:
        step = (lambda f, m: progress(0.5 + 0.4 * f, m)) if progress else None
        report.batches = store(con, preps, loaded_by=loaded_by, progress=step)
        timings["저장"] = time.perf_counter() - t1
    if not keep_rows:
        for p in preps:
            p.release_rows()
        pa.default_memory_pool().release_unused()
    if enrich:  # the analysis runs with the database unlocked: the dashboard keeps working meanwhile
        if progress:
            progress(0.9, "키워드·주제 분석 중…")
        t2 = time.perf_counter()
        from ccm import text

        step = (lambda d, n: progress(0.9 + 0.1 * d / max(n, 1), f"키워드·주제 분석 중… {d:,}/{n:,}건")) if progress else None
        report.enriched = text.enrich_path(db_path, settings, step) or 0
        timings["키워드·주제 분석"] = time.perf_counter() - t2
    if progress:
        progress(1.0, "완료")
    return report


def write_rejects(preps: Sequence[Prepared], folder: str | Path, settings) -> list[Path]:
    """One `<name>_오류.csv` per file with rejects (UTF-8 with BOM, opens in Excel)."""
    suffix = settings["voc"].get("load", {}).get("rejects_suffix", "_오류")
    paths: list[Path] = []
    for p in preps:
        if not p.rows_rejected:
            continue
        stem = f"{Path(p.file_name).stem}{suffix}"
        path, n = Path(folder) / f"{stem}.csv", 1
        while path in paths:  # two inputs with the same name (a/voc.csv, b/voc.csv): one file each
            n += 1
            path = Path(folder) / f"{stem}_{n}.csv"
        p.rejected_rows().to_csv(path, index=False, encoding="utf-8-sig")
        paths.append(path)
    return paths


def _user() -> str | None:
    try:
        return getpass.getuser()
    except Exception:  # noqa: BLE001 - no login name on some service accounts
        return None
