"""VOC normalisation: every row of an export to canonical values, without judging any row.

Each field is normalised on its own (pyarrow and DuckDB release the GIL: both cores work): 접수번호,
dates in the order their values decide, type/channel/facility/department/status through the mapping
and the standard lists, texts with personal data masked, the customer's keyed hash, the SLA figures.
What validation needs to judge a row (a time cell that is not a time, 완료 without a completion time) is
handed on in `Fields`; `etl.validate` turns it into row-level rejects.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from concurrent.futures import Executor, Future
from dataclasses import dataclass

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from ccm import privacy
from etl import diagnose
from etl import mapping as mp
from etl.parsing import (
    DateTimes,
    clean_number_text,
    combine_date_time_report,
    matches,
    replace,
)
from etl.prepared import TEXTS, Prepared
from etl.readers import Table

STORED = [
    "voc_id",
    "received_at",
    "completed_at",
    "voc_type",
    "channel",
    "department",
    "facility",
    "status",
    "title",
    "content",
    "answer",
    "customer_key",
    "clock_start",
    "due_at",
    "deadline_minutes",
    "work_minutes",
    "sla_met",
    "sla_rule",
    "source_row",
    "export_as_of",
]
SENTENCE = re.compile(r"(니다|어요|아요|해요|세요|네요|습니까|는데|었음|했음)[.!?~]*$|[.!?]\s+\S")


@dataclass
class Fields:
    """Every row normalised: `rows` holds the STORED columns but the SLA figures and export_as_of."""

    rows: pd.DataFrame
    bad_time: dict[str, pd.Series]  # received_time / completed_time: a cell that is not a time
    closed_without_time: pd.Series  # the file says 완료 and gives no completion time
    sla: Future  # the SLA figures of every row (being computed)


def restore_quoted(table: Table) -> None:
    """Drop the quote our own downloads put before a cell that starts like a formula (a fixed rejects
    file comes back as it went out), so the stored text is the text, not the quote."""
    for c in table.df.columns:
        arr = pa.array(table.df[c], from_pandas=True)
        if pc.any(pc.starts_with(arr, "'")).as_py():
            fixed = pc.replace_substring_regex(arr, r"^'([=+\-@\t\r])", r"\1")
            table.df[c] = pd.Series(
                pd.arrays.ArrowStringArray(pc.cast(fixed, pa.large_string())),
                index=table.df.index,
                dtype="string",
            )


def fields(prep: Prepared, settings, mapping, pool: Executor) -> Fields:
    """Every field of every row normalised on `pool` (two workers); warnings go to prep.warnings."""
    # first: the rows whose texts hold the customer's own name, which the text jobs then mask
    names = pool.submit(
        privacy.find_names,
        [col(prep, f) if col(prep, f) is not None else _na(prep) for f in TEXTS],
        [prep.table.df[c] for c in prep.plan.hash],
        list(settings.privacy.not_names),
    )
    jobs = {
        "customer_key": (_customer_key, prep, settings),
        "content": (_masked, prep, "content", names),
        "received": (_datetime, prep, mapping, "received_at", "received_time"),
        "completed": (_datetime, prep, mapping, "completed_at", "completed_time"),
        "title": (_masked, prep, "title", names),
        "answer": (_masked, prep, "answer", names),
        "voc_id": (_voc_id, prep),
        **{
            f: (_mapped, prep, settings, mapping, f)
            for f in ("voc_type", "channel", "facility", "department", "status")
        },
    }
    futures = {name: pool.submit(*job) for name, job in jobs.items()}
    return _rows(prep, settings, {name: f.result for name, f in futures.items()}, pool.submit)


def _rows(prep: Prepared, settings, done: dict[str, Callable], submit: Callable) -> Fields:
    out = pd.DataFrame(index=prep.table.df.index)
    out["voc_id"] = done["voc_id"]()
    received = done["received"]()
    out["received_at"] = received.values
    completed = done["completed"]()
    out["completed_at"] = _end_of_day(completed.values, completed.date_only, settings)
    for fld, dates in (("received_at", received), ("completed_at", completed)):
        if dates.note:
            prep.warnings.append(f"{prep.plan.fields[fld]} 열: {dates.note}")

    out["voc_type"], _ = done["voc_type"]()
    raw_type, default = col(prep, "voc_type"), prep.plan.defaults.get("voc_type")
    if raw_type is not None and default:  # a [defaults] voc_type fills the rows whose type cell is blank
        out["voc_type"] = out["voc_type"].where(raw_type.notna(), default)
    sla = submit(_sla_columns, out["received_at"], out["completed_at"], out["voc_type"], settings)  # all rows

    for fld in ("channel", "facility", "department"):
        out[fld] = _kept_value(prep, fld, *done[fld]())
    fac_dept = mp.map_values(out["facility"], settings.facilities.get)
    out["department"] = out["department"].fillna(fac_dept)

    out["status"], closed_no_time = _status(prep, out, *done["status"]())
    for fld in ("title", "content", "answer", "customer_key"):
        out[fld] = done[fld]()
    out["source_row"] = prep.table.rows.astype("int32")
    return Fields(
        out, {"received_time": received.bad_time, "completed_time": completed.bad_time}, closed_no_time, sla
    )


def finish(prep: Prepared, f: Fields, keep: np.ndarray) -> pd.DataFrame:
    """The STORED columns of every row: with the SLA figures, and the export's as-of time (its latest
    receipt or completion among the rows kept)."""
    out = f.rows
    no_time = (out["status"] == "완료").to_numpy(dtype=bool, na_value=False) & out[
        "completed_at"
    ].isna().to_numpy()
    prep.closed_without_time = int((no_time & keep).sum())
    kept_times = pd.concat([out["received_at"][keep], out["completed_at"][keep]])
    out["export_as_of"] = kept_times.max() if kept_times.notna().any() else pd.NaT
    out = pd.concat([out, f.sla.result()], axis=1)
    return out[STORED].reset_index(drop=True)


def col(prep: Prepared, fld: str) -> pd.Series | None:
    """The file's column for a field, or None."""
    src = prep.plan.fields.get(fld)
    return prep.table.df[src] if src is not None else None


def _na(prep: Prepared) -> pd.Series:
    return pd.Series(pd.NA, index=prep.table.df.index, dtype="string")


def _voc_id(prep: Prepared) -> pd.Series:
    return replace(clean_number_text(col(prep, "voc_id")), r"\s+", "")


def _datetime(prep: Prepared, mapping, date_field: str, time_field: str) -> DateTimes:
    """A date column (+ its time column) read, in the format the mapping's [formats] forces, if any."""
    d = col(prep, date_field)
    if d is None:
        index = prep.table.df.index
        return DateTimes(
            pd.Series(pd.NaT, index=index, dtype="datetime64[us]"),
            np.zeros(len(index), bool),
            bad_time=pd.Series(False, index=index),
        )
    fmt = mapping.formats.get(date_field) if mapping else None
    return combine_date_time_report(d, col(prep, time_field), fmt)


def _mapped(prep: Prepared, settings, mapping, fld: str) -> tuple[pd.Series | None, pd.Series | None]:
    """(canonical value, NA where unknown or blank; the unknown values' counts), or (None, None) if
    the file has no such column."""
    raw = col(prep, fld)
    if raw is None:
        default = prep.plan.defaults.get(fld)
        return (
            (None, None)
            if default is None
            else (pd.Series(default, index=prep.table.df.index, dtype="string"), None)
        )
    mapped = mp.map_values(raw, mp.value_lookup(settings, fld, mapping))
    unknown = raw.notna() & mapped.isna()
    return mapped, (raw[unknown].value_counts() if unknown.any() else None)


def _kept_value(prep: Prepared, fld: str, mapped: pd.Series | None, unknown: pd.Series | None) -> pd.Series:
    """Canonical value where known; unknown values are kept and reported — except a value that reads
    like free text (a shifted column: not stored) or holds personal data (stored masked)."""
    if mapped is None:
        return _na(prep)
    raw = col(prep, fld)
    if unknown is None:
        return mapped if raw is None else mapped.fillna(raw)
    screened = {v: _screen(str(v)) for v in unknown.index}
    kept = {v: s for v, s in screened.items() if s is not None}
    if kept:
        counts = {kept[v]: int(unknown[v]) for v in kept}
        prep.unknown_values[fld] = dict(list(counts.items())[:50])
        listed = ", ".join(f"{k}({n}건)" for k, n in list(counts.items())[:10])
        prep.warnings.append(
            f"설정에 없는 {mp.FIELD_LABELS[fld]} 값은 그대로 저장했습니다(화면에서는 '미등록'): {listed}"
        )
    text_like = [v for v, s in screened.items() if s is None]
    if text_like:
        rows = prep.table.rows[raw.isin(text_like).to_numpy()]
        prep.warnings.append(
            f"{mp.FIELD_LABELS[fld]} 열에 문장처럼 보이는 값 {len(rows):,}건"
            f"({row_list(rows)})은 저장하지 않았습니다: 열이 밀린 행일 수 있습니다"
        )
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


def row_list(rows: np.ndarray, limit: int = 5) -> str:
    shown = ", ".join(f"{r}행" for r in rows[:limit])
    return shown + (f" 외 {len(rows) - limit:,}건" if len(rows) > limit else "")


def _status(
    prep: Prepared, out: pd.DataFrame, mapped: pd.Series | None, unknown_counts: pd.Series | None
) -> tuple[pd.Series, pd.Series]:
    """(status, rows the file calls 완료 without a completion time). 완료 where a completion time exists;
    else the file's status. A 완료 row without a completion time stays 완료 (closed, time unknown:
    outside met/breached); validation may reject it (strict)."""
    done = out["completed_at"].notna()
    derived = pd.Series(np.where(done, "완료", "접수"), index=out.index, dtype="string")
    if mapped is None:
        if col(prep, "completed_at") is None:
            prep.warnings.append(diagnose.no_progress(prep.table, prep.plan))
        return derived, pd.Series(False, index=out.index)
    raw = col(prep, "status")
    unknown = mapped.isna() if raw is None else raw.notna() & mapped.isna()
    if unknown_counts is not None:
        listed = ", ".join(f"{k}({v}건)" for k, v in unknown_counts.head(10).items())
        listed = privacy.mask_text(listed)
        prep.warnings.append(f"알 수 없는 처리상태 값은 처리일시로 판단했습니다: {listed}")
    closed_no_time = (mapped == "완료").fillna(False) & ~done
    if closed_no_time.any() and col(prep, "completed_at") is None:
        prep.warnings.append(diagnose.no_completion_column(prep.table, prep.plan, int(closed_no_time.sum())))
    status = mapped.where(~done, "완료").fillna(derived)
    return status.where(~(unknown & ~done), "처리중"), closed_no_time


def _end_of_day(completed: pd.Series, date_only: np.ndarray, settings) -> pd.Series:
    """A completion given as a date alone means the end of that business day (setting
    [voc.load] date_only_completion, default the calendar's work_end), never 00:00."""
    if not date_only.any():
        return completed
    at = settings.voc.load.date_only_completion or settings.calendar.work_end
    hours, minutes = (int(x) for x in str(at).split(":")[:2])
    shift = pd.Series(
        np.where(date_only, (hours * 60 + minutes) * 60_000_000, 0).astype("timedelta64[us]"),
        index=completed.index,
    )
    return completed + shift


def _masked(prep: Prepared, fld: str, names: Future) -> pd.Series:
    s = col(prep, fld)
    return _na(prep) if s is None else privacy.mask_series(s, names.result()[TEXTS.index(fld)])


def _customer_key(prep: Prepared, settings) -> pd.Series:
    """Keyed hash of the identity columns (name, phone…), so repeat customers can be counted."""
    given = col(prep, "customer_key")  # a fixed rejects file brings the key its blanked identity columns had
    given = None if given is None else given.where(matches(given, r"^[0-9a-f]{16,64}$"))
    cols = [
        pc.cast(pa.array(prep.table.df[c], from_pandas=True), pa.large_string()).fill_null("")
        for c in prep.plan.hash
    ]
    if not cols:
        return given if given is not None else pd.Series(pd.NA, index=prep.table.df.index, dtype="string")
    joined = pc.binary_join_element_wise(*cols, pa.scalar("|", pa.large_string()))
    ident = pd.Series(pd.arrays.ArrowStringArray(joined), index=prep.table.df.index, dtype="string")
    ident = ident.mask(matches(ident, r"^\|*$"))
    keys = privacy.hash_series(ident, settings.secret_key())
    return keys if given is None else keys.fillna(given)


def _sla_columns(
    received_at: pd.Series, completed_at: pd.Series, voc_type: pd.Series, settings
) -> pd.DataFrame:
    from ccm import sla

    return sla.compute(received_at, completed_at, voc_type, settings)
