"""개선과제 workbook: the template (openpyxl, dropdowns for 부서/진행 상태/주제/시설/고객 피드백) and its
import through the shared readers — all rows or none, each refusal as (파일, 행, 열, 값, 사유) in Korean.

A row is one action, keyed by 과제명 + 개선시행 부서: a key already in the register updates that action
(with the register's rules: status only forward, 부서 accounts only their own department), a new key
registers one. Every write is audited by ccm.actions.
"""

from __future__ import annotations

import hashlib
import io
import json
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any

import pandas as pd
from openpyxl import Workbook
from openpyxl.worksheet.datavalidation import DataValidation

from ccm import actions as act
from ccm import db
from ccm import xlsx_style as xs
from ccm.period import now as current_time
from etl.readers import ReadError, known_callable, read_table

SHEET = "개선과제"
ROWS = 1000  # rows covered by the dropdowns
# field → (header in the template, other spellings accepted)
FIELDS: dict[str, tuple[str, list[str]]] = {
    "title": ("과제명", ["개선과제", "과제", "개선과제명"]),
    "cause": ("발생원인", ["원인"]),
    "direction": ("개선방향", ["개선 방향", "개선대책", "개선내용"]),
    "department": ("개선시행 부서", ["개선시행부서", "시행부서", "부서", "담당부서"]),
    "schedule": ("세부 일정", ["세부일정", "일정"]),
    "due_date": ("완료 예정일", ["완료예정일", "기한", "마감일", "목표일"]),
    "status": ("진행 상태", ["진행상태", "상태", "단계"]),
    "topic": ("대상 주제", ["주제"]),
    "facility": ("대상 시설", ["시설", "사업장"]),
    "voc_ids": ("관련 VOC 접수번호", ["접수번호", "관련 VOC", "관련VOC"]),
    "customer_told": ("고객 피드백 여부", ["고객 피드백", "고객피드백", "고객 통보"]),
    "completed_on": ("완료일", ["완료 일자", "완료일자"]),
}
REQUIRED = ("title", "department")
REJECT_COLUMNS = ["파일", "행", "열", "값", "사유"]
YES = {"예", "y", "yes", "o", "true", "1", "했음", "통보", "통보함"}
NO = {"아니오", "아니요", "n", "no", "x", "false", "0", "안 함", "미통보"}


@dataclass(frozen=True)
class CommandLine:
    """The person at the server's command line (python -m etl actions): the CCM team's rights."""

    username: str = "명령줄"
    role: str = "관리자"
    department: str | None = None


@dataclass
class ImportResult:
    file_name: str
    batch_id: int | None = None
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    rejects: pd.DataFrame = field(default_factory=lambda: pd.DataFrame(columns=REJECT_COLUMNS))
    message: str = ""

    @property
    def ok(self) -> bool:
        return self.batch_id is not None


# ---------------------------------------------------------------------------------------------
# template

INSTRUCTIONS = [
    "개선과제 서식 작성 안내",
    "",
    "1. '개선과제' 시트의 한 행이 한 개선과제입니다(매뉴얼 §4.3.2-4: 발생원인, 개선방향, 개선시행 부서, 세부 일정).",
    "2. 과제명과 개선시행 부서는 꼭 적습니다. 같은 과제명·부서가 이미 등록되어 있으면 그 과제를 새 값으로 고칩니다.",
    "3. 개선시행 부서·진행 상태·대상 주제·대상 시설·고객 피드백 여부는 목록에서 고르세요.",
    "4. 진행 상태는 발굴 → 계획 → 시행 → 완료 → 효과 확인 순서로만 나아갑니다. '계획'부터는 완료 예정일이 필요합니다.",
    "   '완료'로 올리면 완료일을 적습니다(비우면 올린 날). '효과 확인'은 CCM 주관부서(혁신안전팀)가 정합니다.",
    "5. 날짜는 2026-12-31 처럼 적습니다. 관련 VOC 접수번호는 쉼표로 나누어 여러 개 적을 수 있습니다.",
    "6. 대상 주제·시설: 효과를 잴 VOC입니다(완료 전후 같은 기간의 건수·불만 비중·재발을 비교). 둘 다 비우면 효과를 재지 않습니다.",
    "7. 오류가 한 건이라도 있으면 아무것도 저장하지 않습니다. 오류 목록(파일·행·열·값·사유)을 보고 고친 뒤 다시 올리세요.",
]


def build_template(
    settings,
    topics: list[str] | tuple[str, ...] = (),
    rows: pd.DataFrame | None = None,
    departments: tuple[str, ...] | None = None,
) -> bytes:
    """The template as .xlsx bytes: 안내, the 개선과제 sheet (prefilled with `rows` — a register frame —
    when given) and dropdowns fed from a hidden 목록 sheet."""
    rules = act.rules_from(settings)
    wb = Workbook()
    _instructions(wb.active)
    lists = xs.list_sheet(
        wb,
        {
            "부서": list(departments or settings.departments),
            "진행 상태": list(rules.statuses),
            "주제": list(topics),
            "시설": list(settings.facilities),
            "예/아니오": ["예", "아니오"],
        },
    )
    page = xs.Page(wb.create_sheet(SHEET), print_title="개선과제 서식")
    headers = [h for h, _ in FIELDS.values()]
    df = pd.DataFrame(_prefill(rows), columns=headers).astype(object)
    kinds = {h: ("date" if f in ("due_date", "completed_on") else "text") for f, (h, _) in FIELDS.items()}
    table = page.table(df.where(df.notna(), None), kinds=kinds, max_width=28)
    ws = page.ws
    ws.freeze_panes = "A2"
    page.finish(repeat=table)
    letter = {f: table.letter(h) for f, (h, _) in FIELDS.items()}
    for f, name in {
        "department": "부서",
        "status": "진행 상태",
        "topic": "주제",
        "facility": "시설",
        "customer_told": "예/아니오",
    }.items():
        if lists.get(name):
            dv = DataValidation(
                type="list",
                formula1=f"={lists[name]}",
                allow_blank=True,
                error=f"목록에 있는 {name} 값을 고르세요.",
                errorTitle=f"잘못된 {name}",
            )
            ws.add_data_validation(dv)
            dv.add(f"{letter[f]}2:{letter[f]}{ROWS}")
    dates = DataValidation(
        type="date",
        operator="greaterThan",
        formula1="36526",
        allow_blank=True,
        error="날짜를 2026-12-31 처럼 적으세요.",
        errorTitle="잘못된 날짜",
    )
    ws.add_data_validation(dates)
    for f in ("due_date", "completed_on"):
        dates.add(f"{letter[f]}2:{letter[f]}{ROWS}")
        for r in range(2, ROWS + 1):
            ws[f"{letter[f]}{r}"].number_format = "yyyy-mm-dd"
    wb.active = 1
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def _prefill(rows: pd.DataFrame | None) -> list[list]:
    if rows is None or rows.empty:
        return []
    out = []
    for r in rows.to_dict("records"):
        ids = r.get("voc_ids")
        values = {
            **r,
            "voc_ids": ids if isinstance(ids, str) else None,
            "customer_told": "예" if r.get("customer_told") is True else "아니오",
        }
        out.append([None if _blank(values.get(f)) else values.get(f) for f in FIELDS])
    return out


def _instructions(ws) -> None:
    ws.title = "안내"
    page = xs.Page(ws, print_title="개선과제 서식 작성 안내", orientation="portrait")
    page.title(INSTRUCTIONS[0], space=False)
    for line in INSTRUCTIONS[1:]:
        page.text(line) if line else page.gap()
    ws.column_dimensions["A"].width = 98
    page.finish()


# ---------------------------------------------------------------------------------------------
# import


class _Rejects:
    def __init__(self, file_name: str) -> None:
        self.file_name, self.rows = file_name, []

    def add(self, row: int | None, f: str, value: Any, reason: str) -> None:
        self.rows.append(
            {
                "파일": self.file_name,
                "행": row,
                "열": FIELDS[f][0] if f in FIELDS else f,
                "값": "" if _blank(value) else str(value),
                "사유": reason,
            }
        )

    def frame(self) -> pd.DataFrame:
        return pd.DataFrame(self.rows, columns=REJECT_COLUMNS)


def _blank(v: Any) -> bool:
    return v is None or (not isinstance(v, str) and pd.isna(v)) or (isinstance(v, str) and not v.strip())


def read(data: bytes, file_name: str) -> tuple[pd.DataFrame, list[int], int]:
    """The sheet's rows as strings by field (absent fields are all blank), their row numbers, the header row."""
    if not data.startswith((b"PK\x03\x04", b"\xd0\xcf\x11\xe0")):
        raise ReadError(f"{file_name}: 개선과제 서식은 Excel 파일(.xlsx 또는 .xls)이어야 합니다.")
    aliases = {f: [h, *alts] for f, (h, alts) in FIELDS.items()}
    try:
        table = read_table(
            data, file_name, known=[n for names in aliases.values() for n in names], sheet=SHEET
        )
    except ReadError:
        table = read_table(data, file_name, known=[n for names in aliases.values() for n in names])
    lookup = known_callable(aliases)
    rename: dict[str, str] = {}
    for col in table.df.columns:
        f = lookup(col)
        if f and f not in rename.values():
            rename[col] = f
    df = table.df[list(rename)].rename(columns=rename)
    missing = [FIELDS[f][0] for f in REQUIRED if f not in df.columns]
    if missing:
        raise ReadError(
            f"{file_name}: '{SHEET}' 시트 머리글 행({table.header_row}행)에 {', '.join(missing)} 열이 없습니다."
        )
    for f in FIELDS:
        if f not in df.columns:
            df[f] = pd.array([pd.NA] * len(df), dtype="string")
    return df[list(FIELDS)], [int(r) for r in table.rows], int(table.header_row)


def _date(v: Any) -> date | None:
    s = str(v).strip().replace(".", "-").replace("/", "-").rstrip("-")
    try:
        return datetime.fromisoformat(s[:19] if len(s) > 10 else s).date()
    except ValueError:
        pass
    try:
        serial = float(s)
    except ValueError:
        raise ValueError(v) from None
    if not 20000 < serial < 80000:
        raise ValueError(v)
    return (pd.Timestamp("1899-12-30") + pd.Timedelta(days=int(serial))).date()


def _row_values(
    r: dict, row: int, settings, rules: act.Rules, topics: set[str], known_voc: set[str], rej: _Rejects
) -> tuple[dict, tuple[str, ...]] | None:
    """One row's values for ccm.actions (None when the row has a refusal, recorded in rej)."""
    start = len(rej.rows)
    v: dict[str, Any] = {f: (None if _blank(r[f]) else str(r[f]).strip()) for f in FIELDS}
    for f in REQUIRED:
        if v[f] is None:
            rej.add(row, f, None, f"{FIELDS[f][0]}을(를) 적어야 합니다.")
    if v["department"] is not None and v["department"] not in rules.departments:
        alias = settings.organisation.department_aliases.get(v["department"])
        if alias:
            v["department"] = alias
        else:
            rej.add(
                row,
                "department",
                v["department"],
                f"설정의 부서 목록에 없는 부서입니다({', '.join(rules.departments)}).",
            )
    if v["status"] is not None and v["status"] not in rules.statuses:
        rej.add(row, "status", v["status"], f"진행 상태는 {' → '.join(rules.statuses)} 중 하나여야 합니다.")
    for f in ("due_date", "completed_on"):
        if v[f] is not None:
            try:
                v[f] = _date(v[f])
            except ValueError:
                rej.add(row, f, v[f], "날짜로 읽을 수 없습니다(예: 2026-12-31).")
    if v["status"] in rules.statuses[1:] and _blank(r["due_date"]):
        rej.add(
            row,
            "due_date",
            None,
            f"'{rules.statuses[1]}' 단계부터는 완료 예정일이 있어야 합니다 (매뉴얼 §4.3.2-4).",
        )
    if v["topic"] is not None and topics and v["topic"] not in topics:
        rej.add(row, "topic", v["topic"], "주제 사전(설정 text.topics)에 없는 주제입니다.")
    if v["facility"] is not None and v["facility"] not in settings.facilities:
        alias = settings.organisation.facility_aliases.get(v["facility"])
        if alias:
            v["facility"] = alias
        else:
            rej.add(row, "facility", v["facility"], "설정의 시설 목록에 없는 시설입니다.")
    told = (v["customer_told"] or "아니오").lower()
    if told not in YES | NO:
        rej.add(row, "customer_told", v["customer_told"], "'예' 또는 '아니오'로 적으세요.")
    v["customer_told"] = told in YES
    ids = tuple(
        i.strip()
        for i in (v.pop("voc_ids") or "").replace(";", ",").replace("\n", ",").split(",")
        if i.strip()
    )
    unknown = [i for i in ids if i not in known_voc]
    if unknown:
        rej.add(row, "voc_ids", ", ".join(unknown), "적재된 VOC에 없는 접수번호입니다.")
    return (v, ids) if len(rej.rows) == start else None


def load(
    data: bytes | str | Path,
    db_path: str | Path,
    settings,
    user: act.Actor | None = None,
    *,
    file_name: str | None = None,
    now: datetime | None = None,
) -> ImportResult:
    """Validate every row, then create/update all of them in one transaction (or nothing)."""
    if not isinstance(data, bytes):
        file_name = file_name or Path(data).name
        data = Path(data).read_bytes()
    file_name = file_name or "개선과제.xlsx"
    user = user or CommandLine()
    now = now or current_time()
    rules = act.rules_from(settings)
    df, rows, header_row = read(data, file_name)
    rej = _Rejects(file_name)
    res = ImportResult(file_name)
    topics = set(settings.text.topics)
    with db.session(db_path) as con:
        known_voc = _known_voc(con, df)
        prepared = []
        for r, row in zip(df.to_dict("records"), rows):
            got = _row_values(r, row, settings, rules, topics, known_voc, rej)
            if got is not None:
                if not act.can_edit(user, got[0]["department"]):
                    rej.add(row, "department", got[0]["department"], act.refusal(user, got[0]["department"]))
                    continue
                prepared.append((row, *got))
        _duplicates(prepared, rej)
        if not rej.rows and prepared:
            _write(con, prepared, data, file_name, user, rules, now, rej, res)
    res.rejects = rej.frame()
    if not prepared and not rej.rows:
        res.message = f"{file_name}: 개선과제 행이 없습니다(머리글 {header_row}행 아래가 비어 있음)."
    elif rej.rows:
        res.message = f"{file_name}: 오류 {len(rej.rows)}건 — 아무것도 저장하지 않았습니다. 오류 목록을 고친 뒤 다시 올리세요."
    else:
        res.message = f"{file_name}: 새 과제 {res.created}건, 고친 과제 {res.updated}건, 바뀐 것 없음 {res.unchanged}건."
    return res


def _known_voc(con, df: pd.DataFrame) -> set[str]:
    ids = sorted(
        {
            i.strip()
            for s in df["voc_ids"].dropna()
            for i in str(s).replace(";", ",").replace("\n", ",").split(",")
            if i.strip()
        }
    )
    if not ids:
        return set()
    return {
        r[0]
        for r in con.execute(
            "SELECT voc_id FROM voc_items WHERE voc_id IN (SELECT unnest(?))", [ids]
        ).fetchall()
    }


def _duplicates(prepared: list, rej: _Rejects) -> None:
    seen: dict[tuple, int] = {}
    for row, v, _ in prepared:
        key = (v["title"], v["department"])
        if key in seen:
            rej.add(row, "title", v["title"], f"같은 과제명·부서가 {seen[key]}행에도 있습니다.")
        seen.setdefault(key, row)


def _write(
    con,
    prepared: list,
    data: bytes,
    file_name: str,
    user,
    rules: act.Rules,
    now: datetime,
    rej: _Rejects,
    res: ImportResult,
) -> None:
    existing = {
        (t, d): i
        for i, t, d in con.execute("SELECT action_id, title, department FROM improvement_actions").fetchall()
    }
    try:
        with db.transaction(con):
            batch_id = con.execute(
                "INSERT INTO load_batches (kind, file_name, sha256, rows_read, loaded_by, loaded_at) "
                "VALUES ('actions', ?, ?, ?, ?, ?) RETURNING batch_id",
                [file_name, hashlib.sha256(data).hexdigest(), len(prepared), user.username, now],
            ).fetchone()[0]
            for row, v, ids in prepared:
                try:
                    _one(
                        con,
                        user,
                        rules,
                        v,
                        ids,
                        existing.get((v["title"], v["department"])),
                        now,
                        batch_id,
                        res,
                    )
                except act.ActionError as exc:
                    rej.add(row, exc.field or "status", v.get(exc.field or "status"), str(exc))
            if rej.rows:
                raise _Abort
            con.execute(
                "UPDATE load_batches SET rows_inserted = ?, rows_updated = ?, rows_unchanged = ?, detail = ? "
                "WHERE batch_id = ?",
                [
                    res.created,
                    res.updated,
                    res.unchanged,
                    json.dumps({"user": user.username}, ensure_ascii=False),
                    batch_id,
                ],
            )
    except _Abort:
        res.created = res.updated = res.unchanged = 0
        return
    res.batch_id = batch_id


class _Abort(Exception):
    pass


def _one(
    con,
    user,
    rules,
    v: dict,
    ids: tuple[str, ...],
    action_id: int | None,
    now,
    batch_id: int,
    res: ImportResult,
) -> None:
    if action_id is None:
        act.create(con, user, rules, v, ids, origin="엑셀", now=now, batch_id=batch_id, in_transaction=True)
        res.created += 1
        return
    old = act.get(con, action_id)
    changes = {k: v[k] for k in act.EDITABLE if k not in ("title", "department")}
    if changes["status"] is None:
        changes["status"] = old["status"]
    if (
        changes["completed_on"] is None
        and old["completed_on"] is not None
        and changes["status"] in rules.finished()
    ):
        changes["completed_on"] = old["completed_on"]
    changed = act.update(con, user, rules, action_id, changes, now=now, in_transaction=True)
    if ids:
        con.execute(
            "INSERT INTO action_voc SELECT ?, x FROM unnest(?) t(x) "
            "WHERE x NOT IN (SELECT voc_id FROM action_voc WHERE action_id = ?)",
            [action_id, list(ids), action_id],
        )
    if changed:
        res.updated += 1
    else:
        res.unchanged += 1
