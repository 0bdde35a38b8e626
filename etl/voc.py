"""VOC loader: read → normalise → validate → store (one transaction), then enrich.

`prepare` reads one export (etl.readers; headers recognised by etl.mapping, a missing field diagnosed by
etl.diagnose), normalises every row (etl.normalise) and validates them (etl.validate: row-level rejects,
one row per 접수번호) without touching the database; `store` (etl.store) upserts prepared files by
voc_id in one transaction (one batch per file); `load` does both and is what the CLI and the upload
page call.
"""

from __future__ import annotations

import getpass
import hashlib
import time
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd
import pyarrow as pa

from ccm import db
from etl import diagnose, normalise, validate
from etl import mapping as mp
from etl.prepared import REJECT_COLUMN, Prepared
from etl.readers import ReadError, read_table
from etl.store import BatchResult, Progress, store

__all__ = [
    "REJECT_COLUMN",
    "BatchResult",
    "LoadReport",
    "Prepared",
    "load",
    "prepare",
    "store",
    "write_rejects",
]


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


# --- prepare: read → normalise → validate -----------------------------------------------------------


def prepare(
    source: str | Path | bytes,
    settings,
    mapping: mp.MappingFile | None = None,
    name: str | None = None,
    strict: bool = False,
) -> Prepared:
    """Read, map, normalise and validate one file (no database). Raises ReadError if unusable.
    With strict, a row closed without a completion time is rejected instead of stored."""
    t0 = time.perf_counter()
    name = name or (Path(source).name if not isinstance(source, bytes) else "upload")
    prep = _read(source, name, settings, mapping)
    with ThreadPoolExecutor(max_workers=2) as pool:
        fields = normalise.fields(prep, settings, mapping, pool)
        prep.rejects = validate.rejects(prep, fields, settings, strict)
        prep.keep = validate.keep(prep, fields.rows, prep.rejects)
        prep.normalised = normalise.finish(prep, fields, prep.keep)
    pa.default_memory_pool().release_unused()  # the intermediate columns' pages back to the OS before storing
    prep.seconds = time.perf_counter() - t0
    return prep


def _read(source: str | Path | bytes, name: str, settings, mapping: mp.MappingFile | None) -> Prepared:
    """The file read and its columns recognised; a file whose rows cannot be used is a ReadError that
    says why (no rows; a field the rows need, with the candidates and the mapping line)."""
    data = source if isinstance(source, bytes) else Path(source).read_bytes()  # read once: hashed and parsed
    with ThreadPoolExecutor(max_workers=1) as pool:  # hashlib releases the GIL: hashed while being parsed
        digest = pool.submit(hashlib.sha256, data)
        table = read_table(data, name, known=mp.recognises(settings, mapping))
    sha = digest.result().hexdigest()
    del data
    normalise.restore_quoted(table)
    plan = mp.detect_columns(table.df.columns, settings, mapping, table.df)
    if not len(table.df):
        raise ReadError(f"{name}: 머리글({table.header_row}행) 아래에 데이터 행이 없습니다.")
    if plan.missing():
        raise ReadError(diagnose.missing_fields(name, table, plan, settings))
    prep = Prepared(name, sha, table, plan, pd.DataFrame(), pd.DataFrame())
    prep.warnings += table.notes + plan.notes
    return prep


# --- load (CLI and upload page) -------------------------------------------------------------------


def load(
    db_path: str | Path,
    sources: Sequence[str | Path | tuple[str, bytes]],
    settings,
    *,
    mapping: mp.MappingFile | None = None,
    strict: bool = False,
    loaded_by: str | None = None,
    rejects_dir: str | Path | None = None,
    progress: Progress | None = None,
    prepared: Sequence[Prepared] | None = None,
    enrich: bool = True,
    keep_rows: bool = True,
) -> LoadReport:
    """Every file read → normalised → validated (`prepare`; ReadError if any is unusable: nothing written),
    its rejects written, then all stored in one transaction (`store`), then enriched.

    sources: paths, or (name, bytes) pairs from an upload. With strict, any rejected row stores nothing.
    keep_rows=False releases the prepared rows once stored (the CLI; a page keeps them to offer the
    rejected rows for download).
    """
    timings: dict[str, float] = {}
    t0 = time.perf_counter()
    preps = list(prepared) if prepared is not None else []
    if prepared is None:
        for i, src in enumerate(sources):
            name, data = src if isinstance(src, tuple) else (Path(src).name, Path(src))
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
        report.batches = [
            BatchResult(p.file_name, None, p.rows_read, rejected=p.rows_rejected, merged=p.merged)
            for p in preps
        ]
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

        step = (
            (lambda d, n: progress(0.9 + 0.1 * d / max(n, 1), f"키워드·주제 분석 중… {d:,}/{n:,}건"))
            if progress
            else None
        )
        report.enriched = text.enrich_path(db_path, settings, step) or 0
        timings["키워드·주제 분석"] = time.perf_counter() - t2
    if progress:
        progress(1.0, "완료")
    return report


def write_rejects(preps: Sequence[Prepared], folder: str | Path, settings) -> list[Path]:
    """One `<name>_오류.csv` per file with rejects (UTF-8 with BOM, opens in Excel)."""
    suffix = settings.voc.load.rejects_suffix
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
