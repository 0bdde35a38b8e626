"""Phone-courtesy monitoring results (전화친절도 모니터링) → validated calls in the store, all or nothing.

One row per monitored call: date, department, evaluator, evaluator type, one score per checklist item
(설정 [phone] items), total and a note. Headers are recognised by meaning (items by their name or an
alias). The total is recomputed; a given total that disagrees is a warning. An evaluator's name is kept
only as a keyed hash ('평가자-…'); a code (E01, 외부기관 A) stays as given. Notes are masked
(phones, e-mails, 주민번호, the evaluator's name). Any rejected row means nothing is stored.
"""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from ccm import phone
from ccm.db import transaction
from ccm.privacy import NAME_LIKE, keyed_hash, mask_texts
from etl.parsing import clean_number_text, parse_datetimes
from etl.readers import ReadError, Table, known_callable, read_table

# field → (header shown in the template, other spellings accepted)
FIELDS: dict[str, tuple[str, list[str]]] = {
    "date": (
        "통화일",
        [
            "통화일자",
            "통화일시",
            "모니터링일",
            "모니터링일자",
            "평가일",
            "평가일자",
            "일자",
            "날짜",
            "조사일",
        ],
    ),
    "department": ("부서", ["부서명", "대상부서", "피평가부서", "평가대상부서", "담당부서"]),
    "evaluator": (
        "평가자",
        ["모니터요원", "모니터", "평가위원", "조사원", "평가자명", "평가자ID", "평가자번호"],
    ),
    "evaluator_type": (
        "평가자 구분",
        ["평가자구분", "평가구분", "평가유형", "평가주체", "평가기관구분", "구분"],
    ),
    "total": ("합계", ["총점", "점수합계", "합계점수", "총합계", "계"]),
    "note": ("비고", ["의견", "평가의견", "특이사항", "메모", "종합의견"]),
}
REQUIRED = ("date", "department", "evaluator_type")
TYPE_ALIASES = {
    "내부": ["자체", "내부평가", "자체평가", "내부직원", "공단"],
    "교차기관": ["교차", "교차평가", "교차모니터링", "타기관", "기관간교차", "유관기관"],
    "외부기관": ["외부", "외부평가", "외부전문기관", "전문기관", "외부업체", "조사기관"],
}
REJECT_COLUMNS = ["파일", "행", "열", "값", "사유"]
TOLERANCE = 0.01  # a given total within this of the recomputed one agrees


class PhoneError(Exception):
    """The file cannot be used; nothing was stored. The message is Korean."""


@dataclass
class Prepared:
    file_name: str
    calls: (
        pd.DataFrame
    )  # source_row, call_date, department, evaluator_id, evaluator_type, total, total_max, note
    scores: pd.DataFrame  # source_row, item, score, max_score
    rejects: pd.DataFrame
    warnings: list[str] = field(default_factory=list)
    items: tuple[str, ...] = ()


@dataclass
class LoadResult:
    file_name: str
    status: str  # loaded | unchanged | rejected
    batch_id: int | None = None
    n_calls: int = 0
    rejects: pd.DataFrame = field(default_factory=lambda: pd.DataFrame(columns=REJECT_COLUMNS))
    warnings: list[str] = field(default_factory=list)

    def summary(self) -> str:
        if self.status == "unchanged":
            return f"{self.file_name}: 같은 파일이 이미 적재되어 있습니다(적재 번호 {self.batch_id}). 바뀐 것이 없습니다."
        if self.status == "rejected":
            return (
                f"{self.file_name}: {len(self.rejects)}건의 오류가 있어 아무것도 저장하지 않았습니다. "
                "오류(파일·행·열·값·사유)를 고친 뒤 다시 올리세요."
            )
        return f"{self.file_name}: 전화친절도 모니터링 {self.n_calls:,}건을 적재했습니다(적재 번호 {self.batch_id})."

    @property
    def exit_code(self) -> int:
        return 1 if self.status == "rejected" else 0


def aliases(settings) -> dict[str, list[str]]:
    """field → spellings, with one field per checklist item ('item:인사')."""
    out = {f: [h, *alts] for f, (h, alts) in FIELDS.items()}
    for it in phone.checklist(settings):
        out[f"item:{it.name}"] = [it.name, *it.aliases, f"{it.name}점수", f"{it.name}({it.max_score:g}점)"]
    return out


def read(source: str | Path | bytes, name: str | None, settings) -> Table:
    """The file as a table of strings (header row found by the known spellings)."""
    lookup = known_callable(aliases(settings))
    return read_table(source, name, known=lambda h: lookup(h) is not None)


def _columns(table: Table, settings) -> dict[str, str]:
    """field → the file's column (the first column recognised as each field)."""
    lookup = known_callable(aliases(settings))
    out: dict[str, str] = {}
    for col in table.df.columns:
        f = lookup(str(col))
        if f and f not in out:
            out[f] = col
    return out


def _norm(v: Any) -> str:
    return "".join(str(v).split()).lower()


def _department_index(settings) -> dict[str, str]:
    index = {d: d for d in settings.departments}
    index.update(settings.organisation.department_aliases)
    return {_norm(k): v for k, v in index.items()}


def _type_index(settings) -> dict[str, str]:
    index = {}
    for t in phone.evaluator_types(settings):
        for v in [t, *TYPE_ALIASES.get(t, [])]:
            index[_norm(v)] = t
    return index


def _numbers(s: pd.Series) -> pd.Series:
    return pd.to_numeric(clean_number_text(s.astype("string")).str.strip(), errors="coerce").astype("float64")


class _Rejects:
    def __init__(self, file_name: str) -> None:
        self.file_name, self.rows = file_name, []

    def add(self, row: int | None, column: str, value: Any, reason: str) -> None:
        shown = "" if value is None or (not isinstance(value, str) and pd.isna(value)) else str(value)
        self.rows.append({"파일": self.file_name, "행": row, "열": column, "값": shown, "사유": reason})

    def frame(self) -> pd.DataFrame:
        return pd.DataFrame(self.rows, columns=REJECT_COLUMNS)


def prepare(table: Table, settings) -> Prepared:
    """Validate the table: rejects (Korean, by file, row, column, value), warnings, and the rows to store."""
    cols = _columns(table, settings)
    items = phone.checklist(settings)
    rej = _Rejects(table.file_name)
    missing = [f for f in REQUIRED if f not in cols] + [
        f"item:{i.name}" for i in items if f"item:{i.name}" not in cols
    ]
    for f in missing:
        header = FIELDS[f][0] if f in FIELDS else f.removeprefix("item:")
        spellings = ", ".join(aliases(settings)[f][:5])
        rej.add(
            table.header_row,
            header,
            None,
            f"'{header}' 열이 없습니다(머리글에서 찾은 이름: {spellings} 중 하나여야 합니다).",
        )
    if missing:
        raise PhoneError(
            f"{table.file_name}: 필요한 열이 없어 아무것도 저장하지 않았습니다 — "
            + " ".join(r["사유"] for r in rej.rows)
            + " 서식을 내려받아 머리글을 맞추세요."
        )
    df = table.df.reset_index(drop=True)
    rows = [int(r) for r in table.rows]
    if df.empty:
        raise PhoneError(f"{table.file_name}: 적재할 행이 없습니다.")
    out = pd.DataFrame({"source_row": rows})
    out["call_date"] = _dates(df[cols["date"]], rows, cols["date"], rej)
    out["department"] = _mapped(
        df[cols["department"]],
        rows,
        cols["department"],
        _department_index(settings),
        rej,
        ", ".join(settings.departments),
    )
    out["evaluator_type"] = _mapped(
        df[cols["evaluator_type"]],
        rows,
        cols["evaluator_type"],
        _type_index(settings),
        rej,
        " / ".join(phone.evaluator_types(settings)),
    )
    scores = _item_scores(df, rows, cols, items, rej)
    out["total"] = scores.groupby("source_row")["score"].sum().reindex(rows).to_numpy()
    out["total_max"] = sum(i.max_score for i in items)
    warnings = _total_warnings(df, rows, cols, out["total"], table.file_name)
    out["evaluator_id"] = _evaluators(df[cols["evaluator"]], settings) if "evaluator" in cols else None
    out["note"] = _notes(df, cols, settings)
    return Prepared(table.file_name, out, scores, rej.frame(), warnings, tuple(i.name for i in items))


def _dates(s: pd.Series, rows: list[int], column: str, rej: _Rejects) -> pd.Series:
    parsed = parse_datetimes(s)
    for i in np.flatnonzero(s.isna().to_numpy()):
        rej.add(rows[i], column, None, "통화일이 비어 있습니다.")
    for i in np.flatnonzero((s.notna() & parsed.isna()).to_numpy()):
        rej.add(rows[i], column, s.iloc[i], "날짜로 읽을 수 없습니다(예: 2026-03-05, 2026.3.5).")
    return parsed.dt.date


def _mapped(
    s: pd.Series, rows: list[int], column: str, index: dict[str, str], rej: _Rejects, allowed: str
) -> pd.Series:
    mapped = s.map(lambda v: index.get(_norm(v)) if pd.notna(v) else None, na_action=None).astype("object")
    for i in range(len(s)):
        if pd.isna(s.iloc[i]):
            rej.add(rows[i], column, None, f"'{column}' 값이 비어 있습니다.")
        elif pd.isna(mapped.iloc[i]):
            rej.add(rows[i], column, s.iloc[i], f"알 수 없는 값입니다. 허용: {allowed}")
    return mapped


def _item_scores(
    df: pd.DataFrame, rows: list[int], cols: dict[str, str], items, rej: _Rejects
) -> pd.DataFrame:
    frames = []
    for it in items:
        col = cols[f"item:{it.name}"]
        raw = df[col]
        nums = _numbers(raw)
        for i in range(len(df)):
            v = raw.iloc[i]
            if pd.isna(v):
                rej.add(rows[i], col, None, f"'{it.name}' 점수가 비어 있습니다.")
            elif pd.isna(nums.iloc[i]):
                rej.add(rows[i], col, v, "숫자가 아닙니다.")
            elif not 0 <= nums.iloc[i] <= it.max_score:
                rej.add(
                    rows[i],
                    col,
                    v,
                    f"'{it.name}' 점수는 0~{it.max_score:g}점이어야 합니다(설정 [phone] items).",
                )
        frames.append(
            pd.DataFrame(
                {"source_row": rows, "item": it.name, "score": nums.to_numpy(), "max_score": it.max_score}
            )
        )
    return pd.concat(frames, ignore_index=True)


def _total_warnings(
    df: pd.DataFrame, rows: list[int], cols: dict[str, str], total: pd.Series, file_name: str
) -> list[str]:
    if "total" not in cols:
        return []
    given = _numbers(df[cols["total"]])
    bad = given.notna() & total.notna() & ((given - total).abs() > TOLERANCE)
    return [
        f"{file_name} {rows[i]}행 '{cols['total']}' 열: 적힌 합계 {df[cols['total']].iloc[i]}이(가) 항목 점수의 합계 "
        f"{_num(total.iloc[i])}와 다릅니다 — 항목 점수의 합계 {_num(total.iloc[i])}로 저장합니다."
        for i in np.flatnonzero(bad.to_numpy())
    ]


def _num(x: float) -> str:
    return f"{x:g}"


def _evaluators(s: pd.Series, settings) -> list[str | None]:
    """A name-like value (2–4 Hangul syllables, a Latin name) → '평가자-' + keyed hash; codes stay."""
    key = settings.secret_key()
    pattern = re.compile(NAME_LIKE)
    not_names = set(settings.privacy.not_names)
    out = []
    for v in s:
        if pd.isna(v) or not str(v).strip():
            out.append(None)
            continue
        text = str(v).strip()
        named = pattern.match(text) and text not in not_names
        # digits only: hex letters would read as English on a page ('평가자-cec1…')
        out.append(f"평가자-{int(keyed_hash(text, key)[:12], 16) % 10**8:08d}" if named else text)
    return out


def _notes(df: pd.DataFrame, cols: dict[str, str], settings) -> pd.Series:
    if "note" not in cols:
        return pd.Series([None] * len(df), dtype="object")
    names = [df[cols["evaluator"]]] if "evaluator" in cols else []
    masked = mask_texts({"note": df[cols["note"]]}, names, list(settings.privacy.not_names))["note"]
    return masked.astype("object").where(masked.notna(), None)


# ---------------------------------------------------------------------------------------------
# store


def file_sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def loaded_batch(con, sha: str) -> int | None:
    """The loaded (not rolled back) phone batch of the same file, if any."""
    rows = con.execute(
        "SELECT max(batch_id) FROM load_batches WHERE kind = 'phone' AND status = 'loaded' AND sha256 = ?",
        [sha],
    ).fetchall()  # fetched to the end: DuckDB 2 keeps a half-read result open
    return rows[0][0] if rows else None


def dry_run(con, prep: Prepared, sha: str) -> dict:
    """What a load would change: calls, departments, period, mean score; the batch it repeats, if any."""
    c = prep.calls
    score = (c["total"] / c["total_max"] * 100).mean() if len(c) else None
    dates = pd.to_datetime(c["call_date"].dropna())
    return {
        "calls": len(c),
        "departments": int(c["department"].nunique()),
        "first": dates.min().date() if len(dates) else None,
        "last": dates.max().date() if len(dates) else None,
        "score": None if score is None or pd.isna(score) else float(score),
        "rejects": len(prep.rejects),
        "warnings": len(prep.warnings),
        "repeats": loaded_batch(con, sha),
        "overlap": overlap(con, c),
        "calls_before": int(con.execute("SELECT count(*) FROM phone_calls").fetchone()[0]),
    }


def overlap(con, calls: pd.DataFrame) -> tuple[int, list[int]]:
    """Calls of this file already stored by another load (same day, department, evaluator, evaluator type
    and total) and the loads that hold them: a corrected file loaded again would count them twice."""
    if calls.empty:
        return 0, []
    con.register(
        "_phone_new",
        calls[["source_row", "call_date", "department", "evaluator_id", "evaluator_type", "total"]],
    )
    try:
        hits = con.execute("""
            SELECT n.source_row, c.batch_id FROM _phone_new n
            JOIN phone_calls c ON c.call_date = n.call_date::DATE AND c.department = n.department
             AND c.evaluator_id IS NOT DISTINCT FROM n.evaluator_id AND c.evaluator_type = n.evaluator_type
             AND abs(c.total - n.total) < 1e-9
            JOIN load_batches b ON b.batch_id = c.batch_id AND b.status = 'loaded'""").fetchall()
    finally:
        con.unregister("_phone_new")
    return len({row for row, _ in hits}), sorted({b for _, b in hits})


def overlap_warning(n: int, batch_ids: list[int]) -> str:
    loads = ", ".join(map(str, batch_ids))
    return (
        f"이미 적재된 통화와 같은 행이 {n:,}건 있습니다(적재 번호 {loads}): 고친 파일이면 이전 적재를 관리 화면에서 "
        "먼저 되돌리세요. 그대로 두면 그 통화가 두 번 집계됩니다."
    )


def store(con, prep: Prepared, sha: str, *, loaded_by: str | None = None) -> LoadResult:
    """One transaction: a load_batches row (kind 'phone'), the calls and their item scores."""
    result = LoadResult(prep.file_name, "rejected", rejects=prep.rejects, warnings=list(prep.warnings))
    if not prep.rejects.empty:
        return result
    same = loaded_batch(con, sha)
    if same is not None:
        result.status, result.batch_id = "unchanged", same
        return result
    n, held_by = overlap(con, prep.calls)
    if n:
        result.warnings.append(overlap_warning(n, held_by))
    calls = prep.calls.copy()
    with transaction(con):
        batch_id = con.execute(
            "INSERT INTO load_batches (kind, file_name, sha256, rows_read, rows_inserted, loaded_by, detail) "
            "VALUES ('phone', ?, ?, ?, ?, ?, ?) RETURNING batch_id",
            [
                prep.file_name,
                sha,
                len(calls),
                len(calls),
                loaded_by,
                json.dumps({"items": list(prep.items), "warnings": prep.warnings}, ensure_ascii=False),
            ],
        ).fetchone()[0]
        calls["call_id"] = batch_id * 1_000_000 + calls["source_row"].astype("int64")
        calls["batch_id"] = batch_id
        scores = prep.scores.assign(call_id=batch_id * 1_000_000 + prep.scores["source_row"].astype("int64"))
        con.register("_phone_calls", calls)
        con.execute("""INSERT INTO phone_calls SELECT call_id, batch_id, source_row, call_date::DATE, department,
                       evaluator_id, evaluator_type, total, total_max, note FROM _phone_calls""")
        con.unregister("_phone_calls")
        con.register("_phone_scores", scores)
        con.execute("INSERT INTO phone_scores SELECT call_id, item, score, max_score FROM _phone_scores")
        con.unregister("_phone_scores")
    result.status, result.batch_id, result.n_calls = "loaded", batch_id, len(calls)
    return result


def load(
    con, source: str | Path | bytes, settings, *, file_name: str | None = None, loaded_by: str | None = None
) -> LoadResult:
    """Read, validate and store one monitoring file (CLI and demo). Raises PhoneError / ReadError when the
    file itself cannot be used."""
    data = source if isinstance(source, bytes) else Path(source).read_bytes()
    name = file_name or (Path(source).name if not isinstance(source, bytes) else "upload.xlsx")
    prep = prepare(read(data, name, settings), settings)
    return store(con, prep, file_sha256(data), loaded_by=loaded_by)


__all__ = [
    "FIELDS",
    "PhoneError",
    "Prepared",
    "LoadResult",
    "read",
    "prepare",
    "dry_run",
    "store",
    "load",
    "ReadError",
]
