"""KPI workbook → validated definitions and monthly actuals → store (all or nothing).

A workbook has a definitions sheet (KPI정의) and an actuals sheet (월별실적). Any rejected row means
nothing is stored: a KPI workbook is a plan and its figures, and half of it would mislead.
"""

from __future__ import annotations

import hashlib
import io
import json
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd
from openpyxl.utils import get_column_letter

from ccm import db, kpi_sources
from ccm.db import transaction
from ccm.kpi import ACT_KEY, DEF_KEY
from etl.parsing import clean_number_text
from etl.readers import ReadError, known_callable, read_table

DEF_SHEET = "KPI정의"
ACT_SHEET = "월별실적"
MONTH_COLS = [f"{m}월목표" for m in range(1, 13)]
# field → (header shown in the template, other spellings accepted)
DEF_FIELDS: dict[str, tuple[str, list[str]]] = {
    "year": ("연도", ["년도", "평가연도"]),
    "department": ("부서", ["부서명", "담당부서"]),
    "strategy": ("핵심전략", []),
    "task": ("전략과제", []),
    "core_task": ("KPI 핵심과제", ["핵심과제"]),
    "indicator": ("지표명", ["지표", "KPI 실행과제", "실행과제", "KPI", "성과지표"]),
    "unit": ("단위", []),
    "direction": ("방향", ["평가방향", "지표방향"]),
    "aggregation": ("집계방식", ["집계", "연간집계", "누계방식"]),
    "annual_target": ("연간목표", ["목표", "목표값", "연간 목표치"]),
    **{f"plan_{m}": (f"{m}월목표", [f"{m}월 목표", f"목표{m}월"]) for m in range(1, 13)},
    "weight": ("가중치", ["배점", "비중"]),
    "source": ("자동실적", ["자동실적원천", "자동 실적 원천", "자동원천"]),
}
ACT_FIELDS: dict[str, tuple[str, list[str]]] = {
    "year": ("연도", ["년도"]),
    "month": ("월", ["실적월", "해당월"]),
    "department": ("부서", ["부서명", "담당부서"]),
    "indicator": ("지표명", ["지표", "KPI 실행과제", "실행과제", "KPI", "성과지표"]),
    "actual": ("실적", ["실적값", "월실적", "값"]),
    "note": ("비고", ["메모", "설명"]),
}
DEF_REQUIRED = ("year", "department", "indicator", "direction", "aggregation", "weight")
ACT_REQUIRED = ("year", "month", "department", "indicator")  # a blank 실적 = not reported: row skipped


@dataclass
class LoadResult:
    file_name: str
    batch_id: int | None = None
    rejects: pd.DataFrame = field(default_factory=lambda: pd.DataFrame(columns=REJECT_COLUMNS))
    counts: dict[str, int] = field(default_factory=dict)
    message: str = ""
    file_error: bool = False  # the file itself cannot be used (not a workbook, sheets or columns missing)

    @property
    def ok(self) -> bool:
        return self.batch_id is not None

    @property
    def exit_code(self) -> int:
        """0 = stored; 1 = rows rejected (nothing stored); 2 = the file cannot be used (nothing stored)."""
        return 0 if self.ok else 2 if self.file_error else 1


REJECT_COLUMNS = ["시트", "행", "열", "값", "사유"]


class Rejects:
    def __init__(self) -> None:
        self.rows: list[dict] = []

    def add(self, sheet: str, row: int | None, column: str, value: Any, reason: str) -> None:
        self.rows.append(
            {
                "시트": sheet,
                "행": row,
                "열": column,
                "값": "" if value is None or pd.isna(value) else str(value),
                "사유": reason,
            }
        )

    def frame(self) -> pd.DataFrame:
        return pd.DataFrame(self.rows, columns=REJECT_COLUMNS)


# ---------------------------------------------------------------------------------------------
# read


def _read_sheet(data: bytes, file_name: str, sheet: str, fields: dict) -> tuple[pd.DataFrame, list[int]]:
    aliases = {f: [h, *alts] for f, (h, alts) in fields.items()}
    known = [n for names in aliases.values() for n in names]
    table = read_table(data, file_name, known=known, sheet=sheet)
    lookup = known_callable(aliases)
    rename, seen = {}, set()
    for col in table.df.columns:
        f = lookup(col)
        if f and f not in seen:
            rename[col], _ = f, seen.add(f)
    df = table.df[list(rename)].rename(columns=rename)
    df.attrs.update(absent=[f for f in fields if f not in df.columns], header_row=table.header_row)
    for f in df.attrs["absent"]:
        df[f] = pd.array([pd.NA] * len(df), dtype="string")
    return df[list(fields)], [int(r) for r in table.rows]


def _absent_columns(df: pd.DataFrame, sheet: str, fields: dict, required, rej: Rejects) -> None:
    """A required column missing altogether is one error (not one per row)."""
    if df.empty:
        return
    for f in required:
        if f in df.attrs.get("absent", []):
            names = ", ".join([fields[f][0], *fields[f][1]])
            rej.add(
                sheet,
                df.attrs.get("header_row"),
                fields[f][0],
                None,
                f"'{fields[f][0]}' 열이 없습니다(머리글 행에서 찾은 이름: {names} 중 하나여야 합니다).",
            )


def read_workbook(data: bytes, file_name: str) -> tuple[pd.DataFrame, list[int], pd.DataFrame, list[int]]:
    if not (data.startswith(b"PK\x03\x04") or data.startswith(b"\xd0\xcf\x11\xe0")):
        raise ReadError(f"{file_name}: KPI 통합 문서는 Excel 파일(.xlsx 또는 .xls)이어야 합니다.")
    defs, def_rows = _read_sheet(data, file_name, DEF_SHEET, DEF_FIELDS)
    acts, act_rows = _read_sheet(data, file_name, ACT_SHEET, ACT_FIELDS)
    return defs, def_rows, acts, act_rows


def unreadable_cells(data: bytes, layout: list[tuple[str, dict, int | None]], rej: Rejects) -> set[tuple]:
    """Cells of the recognised columns below the header that hold an Excel error value (#DIV/0!, #N/A, …)
    or a formula saved without its calculated value: the reader sees them as blank, so each is a reject.
    `layout`: (sheet, fields, header row) per sheet read. Returns the (sheet, row, header) of those cells,
    so that other checks of the same cells can be left out. .xls files are not checked."""
    if not data.startswith(b"PK\x03\x04"):
        return set()
    found: set[tuple] = set()
    with _workbook(data, data_only=True) as values, _workbook(data, data_only=False) as formulas:
        for sheet, fields, header_row in layout:
            if header_row and sheet in values.sheetnames:
                found |= _sheet_problems(values[sheet], formulas[sheet], sheet, fields, header_row, rej)
    return found


@contextmanager
def _workbook(data: bytes, *, data_only: bool):
    from openpyxl import load_workbook

    wb = load_workbook(io.BytesIO(data), read_only=True, data_only=data_only)
    try:
        yield wb
    finally:
        wb.close()


def _sheet_problems(values, formulas, sheet: str, fields: dict, header_row: int, rej: Rejects) -> set[tuple]:
    for ws in (values, formulas):
        ws.reset_dimensions()  # the declared size may be anything: read only the rows present
    v_rows, f_rows = values.iter_rows(min_row=header_row), formulas.iter_rows(min_row=header_row)
    columns = _field_columns(next(v_rows, ()), fields)
    next(f_rows, None)
    found = set()
    for row, (v_row, f_row) in enumerate(zip(v_rows, f_rows), start=header_row + 1):
        for i, name in columns.items():
            problem = _cell_problem(
                v_row[i] if i < len(v_row) else None, f_row[i] if i < len(f_row) else None
            )
            if problem:
                rej.add(sheet, row, f"{get_column_letter(i + 1)}열({name})", *problem)
                found.add((sheet, row, name))
    return found


def _field_columns(header, fields: dict) -> dict[int, str]:
    """Column index → template header, for the first column recognised as each field."""
    lookup = known_callable({f: [h, *alts] for f, (h, alts) in fields.items()})
    out, seen = {}, set()
    for i, cell in enumerate(header):
        f = lookup(str(cell.value)) if cell.value is not None else None
        if f and f not in seen:
            out[i], _ = fields[f][0], seen.add(f)
    return out


def _cell_problem(value_cell, formula_cell) -> tuple[str, str] | None:
    """(value shown, Korean reason) for an error value or an uncached formula; None for a usable cell."""
    if value_cell is not None and value_cell.data_type == "e":
        return str(value_cell.value), (
            f"엑셀 오류 값 {value_cell.value}입니다 — 원본의 수식이나 참조를 고친 뒤 "
            "계산 결과를 값으로 붙여넣어 다시 올리세요."
        )
    if (
        formula_cell is not None
        and formula_cell.data_type == "f"
        and (value_cell is None or value_cell.value is None)
    ):
        text = getattr(formula_cell.value, "text", formula_cell.value)
        return f"수식 {text}", (
            "계산된 값이 저장되지 않은 수식입니다 — 엑셀에서 열어 계산·저장하거나 "
            "계산 결과를 값으로 붙여넣어 다시 올리세요."
        )
    return None


# ---------------------------------------------------------------------------------------------
# validate


def _numbers(s: pd.Series) -> pd.Series:
    return pd.to_numeric(clean_number_text(s).str.rstrip("%").str.strip(), errors="coerce").astype("float64")


def _value_index(canonical: dict[str, str], aliases: dict[str, list[str]]) -> dict[str, str]:
    index = {}
    for key, label in canonical.items():
        for v in [key, label, *aliases.get(key, [])]:
            index[_norm(v)] = key
    return index


def _norm(v: Any) -> str:
    return "".join(str(v).split()).lower()


def _department_index(settings, org_unit: str) -> dict[str, str]:
    index = {d: d for d in settings.departments}
    index.update(settings.organisation.department_aliases)
    index[org_unit] = org_unit
    return {_norm(k): v for k, v in index.items()}


def _check_required(
    df: pd.DataFrame, rows: list[int], sheet: str, fields: dict, required, rej: Rejects
) -> pd.Series:
    bad = pd.Series(False, index=df.index)
    for f in required:
        miss = df[f].isna()
        for i in df.index[miss]:
            rej.add(sheet, rows[i], fields[f][0], None, f"'{fields[f][0]}' 값이 비어 있습니다.")
        bad |= miss
    return bad


def _check_number(df, rows, sheet, fields, f, rej, *, integer=False, lo=None, hi=None) -> pd.Series:
    nums = _numbers(df[f])
    header = fields[f][0]
    for i in df.index[df[f].notna() & nums.isna()]:
        rej.add(sheet, rows[i], header, df.at[i, f], "숫자가 아닙니다.")
    ok = nums.notna()
    if integer:
        for i in df.index[ok & (nums % 1 != 0)]:
            rej.add(sheet, rows[i], header, df.at[i, f], "정수여야 합니다.")
    if lo is not None or hi is not None:
        out = ok & (
            (nums < (lo if lo is not None else -float("inf")))
            | (nums > (hi if hi is not None else float("inf")))
        )
        for i in df.index[out]:
            rej.add(sheet, rows[i], header, df.at[i, f], f"{lo}~{hi} 범위를 벗어났습니다.")
    return nums


def _map_values(
    df, rows, sheet, fields, f, index: dict[str, str], rej: Rejects, allowed_text: str
) -> pd.Series:
    mapped = df[f].map(lambda v: index.get(_norm(v)) if pd.notna(v) else None, na_action=None)
    for i in df.index[df[f].notna() & mapped.isna()]:
        rej.add(sheet, rows[i], fields[f][0], df.at[i, f], f"알 수 없는 값입니다. 허용: {allowed_text}")
    return mapped


def validate_definitions(
    df: pd.DataFrame,
    rows: list[int],
    settings,
    rej: Rejects,
    allowed_departments: tuple[str, ...] | None = None,
) -> pd.DataFrame:
    from ccm.kpi import AGGREGATIONS, DIRECTIONS, rules_from

    kcfg = settings.kpi
    org_unit = rules_from(settings).org_unit
    S, F = DEF_SHEET, DEF_FIELDS
    _check_required(df, rows, S, F, DEF_REQUIRED, rej)
    out = pd.DataFrame(index=df.index)
    out["year"] = _check_number(df, rows, S, F, "year", rej, integer=True, lo=2000, hi=2100)
    out["department"] = _departments(df, rows, S, F, settings, org_unit, rej, allowed_departments)
    for f in ("strategy", "task", "core_task", "indicator", "unit"):
        out[f] = df[f].astype("object").where(df[f].notna(), None)
    out["direction"] = _map_values(
        df,
        rows,
        S,
        F,
        "direction",
        _value_index(DIRECTIONS, kcfg.direction_aliases),
        rej,
        " / ".join(DIRECTIONS.values()),
    )
    out["aggregation"] = _map_values(
        df,
        rows,
        S,
        F,
        "aggregation",
        _value_index(AGGREGATIONS, kcfg.aggregation_aliases),
        rej,
        " / ".join(AGGREGATIONS.values()),
    )
    target = _check_number(df, rows, S, F, "annual_target", rej)
    out["annual_target"] = _targets(df, rows, out["direction"], out["aggregation"], target, rej)
    out["plan"] = _plans(df, rows, out["direction"], out["aggregation"], rej)
    out["weight"] = _check_number(df, rows, S, F, "weight", rej, lo=0, hi=1000)
    out["source"] = _sources(df, rows, settings, rej)
    out["source_row"] = [rows[i] for i in df.index]
    _duplicates(out, rows, S, F, list(DEF_KEY), rej)
    return out


def _departments(df, rows, sheet, fields, settings, org_unit, rej, allowed) -> pd.Series:
    index = _department_index(settings, org_unit)
    known = ", ".join([*settings.departments, org_unit])
    mapped = _map_values(df, rows, sheet, fields, "department", index, rej, known)
    if allowed is not None:
        for i in df.index[mapped.notna() & ~mapped.isin(list(allowed))]:
            rej.add(
                sheet,
                rows[i],
                fields["department"][0],
                df.at[i, "department"],
                f"내 부서({', '.join(allowed)})의 행만 올릴 수 있습니다.",
            )
    return mapped


def _targets(
    df, rows, direction: pd.Series, aggregation: pd.Series, target: pd.Series, rej: Rejects
) -> pd.Series:
    """연간목표 by direction: 0이 목표 → 0 (blank allowed) and 누적 only; higher/lower → above 0."""
    header, agg_header = DEF_FIELDS["annual_target"][0], DEF_FIELDS["aggregation"][0]
    zero = direction == "zero"
    target = target.where(~(zero & df["annual_target"].isna()), 0.0)
    for i in df.index[zero & target.notna() & (target != 0)]:
        rej.add(
            DEF_SHEET,
            rows[i],
            header,
            df.at[i, "annual_target"],
            "방향이 '0이 목표'인 지표의 연간목표는 0이어야 합니다.",
        )
    for i in df.index[zero & aggregation.notna() & (aggregation != "cumulative")]:
        rej.add(
            DEF_SHEET,
            rows[i],
            agg_header,
            df.at[i, "aggregation"],
            "방향이 '0이 목표'인 지표는 집계방식이 '누적'이어야 합니다(최근값·평균은 앞선 달의 사고를 잊습니다).",
        )
    for i in df.index[~zero & df["annual_target"].isna()]:
        rej.add(DEF_SHEET, rows[i], header, None, "'연간목표' 값이 비어 있습니다.")
    for i in df.index[direction.isin(["higher", "lower"]) & target.notna() & (target <= 0)]:
        rej.add(
            DEF_SHEET,
            rows[i],
            header,
            df.at[i, "annual_target"],
            "높을수록 좋음·낮을수록 좋음 지표의 연간목표는 0보다 커야 합니다(0을 목표로 하려면 방향을 '0이 목표'로 적으세요).",
        )
    return target


def _plans(
    df: pd.DataFrame, rows: list[int], direction: pd.Series, aggregation: pd.Series, rej: Rejects
) -> list:
    """The 12 monthly targets or None. All or none; never negative; above 0 in every month of a 평균/최근값
    KPI (that month's target divides); a 누적 KPI's plan must add up to more than 0; 0이 목표 takes none."""
    plan_fields = [f"plan_{m}" for m in range(1, 13)]
    nums = {f: _check_number(df, rows, DEF_SHEET, DEF_FIELDS, f, rej) for f in plan_fields}
    out = []
    for i in df.index:
        given = [df.at[i, f] for f in plan_fields if pd.notna(df.at[i, f])]
        if not given:
            out.append(None)
            continue
        if len(given) < 12:
            first = next(f for f in plan_fields if pd.isna(df.at[i, f]))
            rej.add(
                DEF_SHEET,
                rows[i],
                DEF_FIELDS[first][0],
                None,
                "월별 목표는 12개월을 모두 적거나 모두 비워 두세요(비우면 연간목표를 지난 달 수에 비례해 씁니다).",
            )
        values = [float(nums[f][i]) for f in plan_fields]
        _plan_rules(df, rows, i, plan_fields, values, direction[i], aggregation[i], rej)
        out.append(values)
    return out


def _plan_rules(df, rows, i, plan_fields, values, direction, aggregation, rej: Rejects) -> None:
    def reject(f: str, reason: str) -> None:
        rej.add(DEF_SHEET, rows[i], DEF_FIELDS[f][0], df.at[i, f], reason)

    known = [(f, v) for f, v in zip(plan_fields, values) if not pd.isna(v)]
    for f, v in known:
        if v < 0:
            reject(f, "월별 목표는 음수일 수 없습니다.")
        elif direction == "zero" and v != 0:
            reject(f, "방향이 '0이 목표'인 지표에는 월별 목표를 적지 않습니다(모든 달의 목표가 0입니다).")
        elif direction in ("higher", "lower") and aggregation in ("average", "latest") and v == 0:
            reject(f, "평균·최근값 지표의 월별 목표는 0보다 커야 합니다(그 달의 목표와 비교합니다).")
    if (
        direction in ("higher", "lower")
        and aggregation == "cumulative"
        and len(known) == 12
        and all(v >= 0 for _, v in known)
        and sum(v for _, v in known) == 0
    ):
        reject(
            plan_fields[-1],
            "누적 지표의 월별 목표 12개월 합계가 0입니다 — 0을 목표로 하려면 방향을 '0이 목표'로 적으세요.",
        )


def _sources(df: pd.DataFrame, rows: list[int], settings, rej: Rejects) -> pd.Series:
    types = {t: t for t in settings.voc.types}
    for t, aliases in settings.voc.types.items():
        types.update({a: t for a in aliases})
    out = []
    for i in df.index:
        v = df.at[i, "source"]
        if pd.isna(v):
            out.append(None)
            continue
        code = kpi_sources.parse(v, types)
        out.append(code)
        if code is None:
            rej.add(
                DEF_SHEET,
                rows[i],
                DEF_FIELDS["source"][0],
                v,
                "알 수 없는 자동실적 원천입니다. 허용(목록에서 고르세요): 고객만족도(PCSI), VOC 처리기한 준수율, "
                "VOC 건수(유형)(예: VOC 건수(칭찬)), " + ", ".join(kpi_sources.LABELS.values()),
            )
    return pd.Series(out, index=df.index, dtype="object")


def _duplicates(
    out: pd.DataFrame, rows: list[int], sheet: str, fields: dict, key: list[str], rej: Rejects
) -> None:
    k = out[key]
    dup = k.duplicated(keep="first") & k.notna().all(axis=1)
    for i in out.index[dup]:
        first = out.index[(k == k.loc[i]).all(axis=1)][0]
        what = " · ".join(_text(out.at[i, c]) for c in key)
        rej.add(
            sheet,
            rows[i],
            fields["indicator"][0],
            out.at[i, "indicator"],
            f"같은 지표({what})가 {rows[first]}행에도 있습니다(중복).",
        )


def _text(v: Any) -> str:
    return str(int(v)) if isinstance(v, float) and v.is_integer() else str(v)


def validate_actuals(
    df: pd.DataFrame,
    rows: list[int],
    settings,
    rej: Rejects,
    defined: dict[tuple, tuple],
    allowed_departments: tuple[str, ...] | None = None,
) -> pd.DataFrame:
    """`defined`: (year, department, indicator) → (direction, unit) of every KPI the actuals may name."""
    from ccm.kpi import non_negative_units, rules_from

    org_unit = rules_from(settings).org_unit
    S, F = ACT_SHEET, ACT_FIELDS
    _check_required(df, rows, S, F, ACT_REQUIRED, rej)
    out = pd.DataFrame(index=df.index)
    out["year"] = _check_number(df, rows, S, F, "year", rej, integer=True, lo=2000, hi=2100)
    out["month"] = _check_number(df, rows, S, F, "month", rej, integer=True, lo=1, hi=12)
    out["department"] = _departments(df, rows, S, F, settings, org_unit, rej, allowed_departments)
    out["indicator"] = df["indicator"].astype("object").where(df["indicator"].notna(), None)
    out["actual"] = _check_number(df, rows, S, F, "actual", rej)
    out["note"] = df["note"].astype("object").where(df["note"].notna(), None)
    out["source_row"] = [rows[i] for i in df.index]
    complete = out[["year", "department", "indicator"]].notna().all(axis=1)
    for i in out.index[complete]:
        key = (int(out.at[i, "year"]), out.at[i, "department"], out.at[i, "indicator"])
        if key not in defined:
            rej.add(
                S,
                rows[i],
                F["indicator"][0],
                out.at[i, "indicator"],
                f"{key[0]}년 {key[1]}의 KPI 정의(정의 시트 또는 이미 적재된 정의)에 없는 지표입니다.",
            )
        elif out.at[i, "actual"] < 0:
            reason = _negative_reason(*defined[key], non_negative_units(settings))
            if reason:
                rej.add(S, rows[i], F["actual"][0], df.at[i, "actual"], reason)
    _duplicates(out, rows, S, F, list(ACT_KEY), rej)
    return out


def _negative_reason(direction: str, unit: str | None, units: tuple[str, ...]) -> str | None:
    """Why a negative actual cannot be, or None when the KPI's unit allows it."""
    if direction in ("lower", "zero"):
        return "낮을수록 좋음·0이 목표 지표의 실적은 음수일 수 없습니다(목표 ÷ 실적, 건수)."
    if unit is not None and _norm(unit) in {_norm(u) for u in units}:
        return f"단위가 '{unit}'인 지표의 실적은 음수일 수 없습니다(설정 [kpi] non_negative_units)."
    return None


# ---------------------------------------------------------------------------------------------
# store


def _upsert(con, table: str, key: tuple[str, ...], new: pd.DataFrame, batch_id: int) -> dict[str, int]:
    """Insert new keys, replace changed ones (old version kept for rollback), leave identical ones."""
    cols = [c for c in new.columns if c != "source_row"]
    con.register("_kpi_new", new)
    casts = ", ".join(f"{c}::{_TYPES[c]} AS {c}" for c in new.columns)
    con.execute(f"CREATE OR REPLACE TEMP TABLE _kpi_plan AS SELECT {casts} FROM _kpi_new")
    con.unregister("_kpi_new")
    match = " AND ".join(f"o.{k} = p.{k}" for k in key)
    same = " AND ".join(f"o.{c} IS NOT DISTINCT FROM p.{c}" for c in cols)
    con.execute(f"""CREATE OR REPLACE TEMP TABLE _kpi_cmp AS
        SELECT p.*, o.batch_id AS old_batch, o.year IS NOT NULL AS existed, coalesce({same}, FALSE) AS same
        FROM _kpi_plan p LEFT JOIN {table} o ON {match}""")
    changed = f"EXISTS (SELECT 1 FROM _kpi_cmp p WHERE p.existed AND NOT p.same AND {match})"
    con.execute(f"INSERT INTO {table}_replaced SELECT o.*, ? FROM {table} o WHERE {changed}", [batch_id])
    con.execute(f"DELETE FROM {table} o WHERE {changed}")
    all_cols = ", ".join(new.columns)
    con.execute(
        f"""INSERT INTO {table} ({all_cols}, batch_id, updated_batch_id)
                    SELECT {all_cols}, coalesce(old_batch, ?), ? FROM _kpi_cmp WHERE NOT existed OR NOT same""",
        [batch_id, batch_id],
    )
    inserted, updated, unchanged = con.execute(
        "SELECT count(*) FILTER (NOT existed), count(*) FILTER (existed AND NOT same), count(*) FILTER (same) "
        "FROM _kpi_cmp"
    ).fetchone()
    con.execute("DROP TABLE _kpi_cmp")
    con.execute("DROP TABLE _kpi_plan")
    return {"inserted": inserted, "updated": updated, "unchanged": unchanged}


_TYPES = {
    "year": "INTEGER",
    "month": "INTEGER",
    "department": "VARCHAR",
    "strategy": "VARCHAR",
    "task": "VARCHAR",
    "core_task": "VARCHAR",
    "indicator": "VARCHAR",
    "unit": "VARCHAR",
    "direction": "VARCHAR",
    "aggregation": "VARCHAR",
    "annual_target": "DOUBLE",
    "plan": "DOUBLE[]",
    "weight": "DOUBLE",
    "source": "VARCHAR",
    "source_row": "INTEGER",
    "actual": "DOUBLE",
    "note": "VARCHAR",
}


def _store(
    con,
    defs: pd.DataFrame,
    acts: pd.DataFrame,
    file_name: str,
    sha: str,
    rows_read: int,
    loaded_by: str | None,
) -> tuple[int, dict]:
    with transaction(con):
        batch_id = con.execute(
            "INSERT INTO load_batches (kind, file_name, sha256, rows_read, loaded_by) VALUES ('kpi', ?, ?, ?, ?) "
            "RETURNING batch_id",
            [file_name, sha, rows_read, loaded_by],
        ).fetchone()[0]
        d = _upsert(con, "kpi_definitions", DEF_KEY, defs, batch_id)
        a = _upsert(con, "kpi_actuals", ACT_KEY, acts, batch_id)
        counts = {
            "definitions": len(defs),
            "actuals": len(acts),
            **{k: d[k] + a[k] for k in ("inserted", "updated", "unchanged")},
        }
        con.execute(
            "UPDATE load_batches SET rows_inserted = ?, rows_updated = ?, rows_unchanged = ?, detail = ? "
            "WHERE batch_id = ?",
            [
                counts["inserted"],
                counts["updated"],
                counts["unchanged"],
                json.dumps({"definitions": d, "actuals": a}, ensure_ascii=False),
                batch_id,
            ],
        )
    return batch_id, counts


def load(
    data: bytes | str | Path,
    db_path: str | Path,
    settings,
    *,
    file_name: str | None = None,
    loaded_by: str | None = None,
    allowed_departments: tuple[str, ...] | None = None,
) -> LoadResult:
    """Read, validate and store one KPI workbook. Any rejected row → nothing stored."""
    if not isinstance(data, bytes):
        file_name = file_name or Path(data).name
        data = Path(data).read_bytes()
    file_name = file_name or "upload.xlsx"
    result = LoadResult(file_name)
    try:
        d_raw, d_rows, a_raw, a_rows = read_workbook(data, file_name)
    except ReadError as exc:
        result.message, result.file_error = str(exc), True
        return result
    if d_raw.empty and a_raw.empty:
        result.message, result.file_error = (
            f"{file_name}: '{DEF_SHEET}'·'{ACT_SHEET}' 시트에 적재할 행이 없습니다.",
            True,
        )
        return result
    rej = Rejects()
    _absent_columns(d_raw, DEF_SHEET, DEF_FIELDS, [*DEF_REQUIRED, "annual_target"], rej)
    _absent_columns(a_raw, ACT_SHEET, ACT_FIELDS, [*ACT_REQUIRED, "actual"], rej)
    if rej.rows:
        result.rejects, result.file_error = rej.frame(), True
        result.message = (
            f"{file_name}: 필요한 열이 없어 아무것도 저장하지 않았습니다. 서식을 내려받아 머리글을 맞추세요."
        )
        return result
    unreadable = unreadable_cells(
        data,
        [
            (DEF_SHEET, DEF_FIELDS, d_raw.attrs.get("header_row")),
            (ACT_SHEET, ACT_FIELDS, a_raw.attrs.get("header_row")),
        ],
        rej,
    )
    with db.session(db_path) as con:
        defs = validate_definitions(d_raw, d_rows, settings, rej, allowed_departments)
        defined = {
            (y, dp, i): (d, u)
            for y, dp, i, d, u in con.execute(
                "SELECT year, department, indicator, direction, unit FROM kpi_definitions"
            ).fetchall()
        }
        defined |= {
            (int(y), dp, i): (d, u)
            for y, dp, i, d, u in defs[["year", "department", "indicator", "direction", "unit"]].itertuples(
                index=False
            )
            if pd.notna(y) and dp is not None and i is not None
        }
        blank = a_raw["actual"].isna()
        a_raw, a_rows = a_raw[~blank].reset_index(drop=True), [r for r, b in zip(a_rows, blank) if not b]
        acts = validate_actuals(a_raw, a_rows, settings, rej, defined, allowed_departments)
        rej.rows = [
            r for r in rej.rows if (r["시트"], r["행"], r["열"]) not in unreadable
        ]  # said once, as unreadable
        result.rejects = rej.frame().sort_values(["시트", "행"], kind="stable", ignore_index=True)
        if not result.rejects.empty:
            result.message = (
                f"{file_name}: {len(result.rejects)}건의 오류가 있어 아무것도 저장하지 않았습니다. "
                "KPI 통합 문서는 전부 적재되거나 전혀 적재되지 않습니다 — 오류를 고친 뒤 다시 올리세요."
            )
            return result
        defs = defs.astype({"year": "int64"})
        acts = acts.astype({"year": "int64", "month": "int64"})
        sha = hashlib.sha256(data).hexdigest()
        result.batch_id, result.counts = _store(
            con, defs, acts, file_name, sha, len(defs) + len(acts), loaded_by
        )
    c = result.counts
    c["blank_actuals"] = int(blank.sum())
    result.message = (
        f"{file_name}: KPI 정의 {c['definitions']}건, 월별 실적 {c['actuals']}건을 적재했습니다 "
        f"(새로 {c['inserted']}, 변경 {c['updated']}, 그대로 {c['unchanged']}; 적재 번호 {result.batch_id})."
        + (f" 실적이 빈 행 {c['blank_actuals']}개는 '미입력 월'로 두었습니다." if c["blank_actuals"] else "")
    )
    return result
