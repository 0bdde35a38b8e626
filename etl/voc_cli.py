"""python -m etl voc FILE [FILE ...] [--db PATH] [--mapping FILE] [--strict] [--rejects-dir DIR]

Exit 0: every row loaded; 1: some rows rejected (the valid ones loaded, or nothing with --strict);
2: a file could not be used (one line saying why; nothing written).
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

from ccm.settings import os_reason
from etl import common_cli, voc
from etl.mapping import MappingFile, load_mapping
from etl.readers import ReadError

SHOWN_REJECTS = 20


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("files", nargs="+", metavar="FILE", help="VOC 내보내기 파일 (CSV, .xlsx, .xls)")
    common_cli.add_db_argument(parser)
    parser.add_argument("--mapping", help="열·값 매핑 파일 (TOML; docs/loading.md '매핑 파일' 참고)")
    parser.add_argument(
        "--strict", action="store_true", help="오류 행이 하나라도 있으면 아무것도 적재하지 않음"
    )
    parser.add_argument("--rejects-dir", help="오류 행 파일을 쓸 폴더 (기본: 각 입력 파일의 폴더)")


def run(args: argparse.Namespace) -> int:
    """Every check that needs no reading comes first: a bad mapping, database or folder costs no wait."""
    settings, db_path = common_cli.settings_and_db(args)
    mapping = _mapping(args.mapping, settings)
    missing = [f for f in args.files if not Path(f).is_file()]
    if missing:
        raise ReadError(f"파일이 없습니다: {', '.join(missing)}")
    rejects_dir = _rejects_dir(args.rejects_dir) if args.rejects_dir else Path(args.files[0]).resolve().parent
    report = voc.load(
        db_path,
        args.files,
        settings,
        mapping=mapping,
        strict=args.strict,
        rejects_dir=rejects_dir,
        progress=progress_line(),
        keep_rows=False,
    )
    print_report(report)
    return report.exit_code


def _mapping(path: str | None, settings) -> MappingFile | None:
    if not path:
        return None
    try:
        return load_mapping(path, settings)
    except (AttributeError, TypeError) as exc:  # a value where the format expects a table, or the reverse
        raise ReadError(
            f"{Path(path).name}: 매핑 파일의 구조가 맞지 않습니다 — [columns] 와 [values.필드] 는 "
            f"'원본 = 대상' 줄로 된 표여야 합니다(docs/loading.md '매핑 파일' 참고)."
        ) from exc


def _rejects_dir(given: str) -> Path:
    """The folder for rejects files: it must exist and take a new file (checked by writing one)."""
    folder = Path(given)
    if not folder.is_dir():
        what = "폴더가 아닙니다" if folder.exists() else "없습니다"
        raise ReadError(f"오류 행 파일을 쓸 폴더(--rejects-dir)가 {what}: {folder}")
    try:
        with tempfile.TemporaryFile(dir=folder):
            pass
    except OSError as exc:
        raise ReadError(
            f"오류 행 파일을 쓸 폴더(--rejects-dir)에 쓸 수 없습니다: {folder} ({os_reason(exc)})"
        ) from exc
    return folder


def progress_line() -> voc.Progress:
    """Progress of storing and keyword analysis on stderr: one line per step (rewritten in place on a
    terminal). Reading is not shown, so an unusable file still gives exactly one line."""
    last = [""]
    tty = sys.stderr.isatty()

    def show(fraction: float, message: str) -> None:
        if fraction >= 0.5 and message != last[0]:
            last[0] = message
            print(
                f"\r[{fraction:4.0%}] {message}\033[K" if tty else f"[{fraction:4.0%}] {message}",
                end="" if tty and fraction < 1 else "\n",
                file=sys.stderr,
                flush=True,
            )

    return show


def print_report(report: voc.LoadReport) -> None:
    for prep, b in zip(report.prepared, report.batches):
        enc = prep.table.encoding or f"시트 {prep.table.sheet}"
        print(
            f"{b.file_name} ({enc}, 머리글 {prep.table.header_row}행): 읽음 {b.rows_read:,} = 추가 {b.inserted:,} + "
            f"갱신 {b.updated:,} + 변화 없음 {b.unchanged:,} + 같은 번호 병합 {b.merged:,} + 오류 {b.rejected:,}"
            + (f" · 처리일시 없음 {b.closed_without_time:,}" if b.closed_without_time else "")
            + (f" · 배치 {b.batch_id}" if b.batch_id else "")
        )
        for w in prep.warnings:
            print(f"  주의: {w}")
        for r in prep.rejects.head(SHOWN_REJECTS).itertuples(index=False):
            print(f"  오류: {r.파일} {r.행}행 [{r.열}] '{r.값}': {r.사유}")
        if len(prep.rejects) > SHOWN_REJECTS:
            print(f"  … 오류 {len(prep.rejects) - SHOWN_REJECTS:,}건 더 (오류 파일 참고)")
    for path in report.rejects_files:
        print(f"오류 행 파일: {path} (고쳐서 다시 적재하세요; '오류' 열은 무시됩니다)")
    if report.strict_blocked:
        print("--strict: 오류 행이 있어 아무것도 적재하지 않았습니다.")
    times = " · ".join(f"{k} {v:.2f}초" for k, v in report.timings.items())
    print(f"소요 시간: {times}" + (f" (분석한 항목 {report.enriched:,}건)" if report.enriched else ""))
