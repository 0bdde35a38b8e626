"""dbt-style data checks on a database: unique keys, not-null keys, allowed values, rows pointing at
existing batches. `checks(con, settings)` returns one Korean line per failure (empty = all hold);
`python -m ccm.data_checks [--db PATH]` runs them on the configured database.

The tables are described in ccm/schema.py; add a check here when a table gains a key or a code list.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import duckdb

from ccm import db, kpi
from ccm.settings import Settings, load_settings

SAMPLE = 3  # example values quoted per failure


@dataclass(frozen=True)
class Unique:
    table: str
    columns: tuple[str, ...]
    where: str = "TRUE"

    def sql(self) -> str:
        cols = ", ".join(self.columns)
        return (
            f"SELECT concat_ws(' / ', {cols}) FROM {self.table} WHERE {self.where} "
            f"GROUP BY {cols} HAVING count(*) > 1 ORDER BY 1"
        )

    def message(self, n: int) -> str:
        scope = "" if self.where == "TRUE" else " (활성 적재만)"
        return f"{self.table} 표의 {', '.join(self.columns)}{scope}: 두 번 이상 나오는 값 {n}개"


@dataclass(frozen=True)
class NotNull:
    table: str
    column: str

    def sql(self) -> str:
        return f"SELECT '' FROM {self.table} WHERE {self.column} IS NULL"

    def message(self, n: int) -> str:
        return f"{self.table} 표의 {self.column}: 빈 값 {n}행"


@dataclass(frozen=True)
class Allowed:
    table: str
    column: str
    values: Callable[[Settings], tuple[str, ...]]
    source: str  # where the allowed values are defined, for the message

    def sql(self) -> str:
        return (
            f"SELECT DISTINCT CAST({self.column} AS VARCHAR) FROM {self.table} "
            f"WHERE {self.column} IS NOT NULL AND {self.column} NOT IN (SELECT unnest($allowed)) ORDER BY 1"
        )

    def message(self, n: int) -> str:
        return f"{self.table} 표의 {self.column}: {self.source}에 없는 값 {n}개"


@dataclass(frozen=True)
class Refers:
    table: str
    columns: tuple[str, ...]
    parent: str
    parent_columns: tuple[str, ...]
    kind: str | None = None  # load_batches only: the batch must be of this kind

    def sql(self) -> str:
        on = " AND ".join(f"p.{pc} = c.{cc}" for cc, pc in zip(self.columns, self.parent_columns))
        present = " AND ".join(f"c.{cc} IS NOT NULL" for cc in self.columns)
        shown = ", ".join(f"c.{cc}" for cc in self.columns)
        kind = f" AND p.kind = '{self.kind}'" if self.kind else ""
        return (
            f"SELECT DISTINCT concat_ws(' / ', {shown}) FROM {self.table} c WHERE {present} AND NOT EXISTS "
            f"(SELECT 1 FROM {self.parent} p WHERE {on}{kind}) ORDER BY 1"
        )

    def message(self, n: int) -> str:
        scope = f"(적재 종류 {self.kind})" if self.kind else ""
        return f"{self.table} 표의 {', '.join(self.columns)}: {self.parent} 표{scope}에 없는 값 {n}개"


@dataclass(frozen=True)
class Holds:
    table: str
    condition: str  # SQL that every row satisfies
    meaning: str  # the condition in Korean

    def sql(self) -> str:
        return f"SELECT '' FROM {self.table} WHERE NOT coalesce({self.condition}, FALSE)"

    def message(self, n: int) -> str:
        return f"{self.table} 표: {self.meaning} — 어긋난 행 {n}개"


Check = Unique | NotNull | Allowed | Refers | Holds


def _batch_refs(table: str, kind: str, columns: tuple[str, ...] = ("batch_id",)) -> list[Check]:
    return [Refers(table, (c,), "load_batches", ("batch_id",), kind) for c in columns]


CHECKS: list[Check] = [
    Unique("load_batches", ("batch_id",)),
    Allowed("load_batches", "status", lambda s: ("loaded", "rolled_back"), "적재 상태(loaded, rolled_back)"),
    Unique("voc_items", ("voc_id",)),
    *[NotNull("voc_items", c) for c in ("voc_id", "received_at", "voc_type", "status", "batch_id")],
    Allowed("voc_items", "voc_type", lambda s: tuple(s.voc_types), "설정 [voc.types]"),
    Allowed("voc_items", "status", lambda s: tuple(s.voc.statuses), "설정 [voc.statuses]"),
    *_batch_refs("voc_items", "voc", ("batch_id", "updated_batch_id")),
    *_batch_refs("voc_items_replaced", "voc", ("batch_id", "replaced_by_batch")),
    Holds(
        "voc_items", "(status = '완료') = (completed_at IS NOT NULL)", "처리완료일시가 있는 건만 상태가 완료"
    ),
    Holds("voc_items", "completed_at IS NULL OR completed_at >= received_at", "처리완료일시가 접수일시 이후"),
    Holds("voc_items", "sla_met IS NULL OR completed_at IS NOT NULL", "기한 준수 여부는 완료된 건에만"),
    Unique("voc_text_state", ("voc_id",)),
    Refers("voc_text_state", ("voc_id",), "voc_items", ("voc_id",)),
    Refers("voc_keywords", ("voc_id",), "voc_items", ("voc_id",)),
    Refers("voc_topics", ("voc_id",), "voc_items", ("voc_id",)),
    *_batch_refs("survey_batches", "survey"),
    Unique("survey_batches", ("survey", "year", "wave"), "active"),
    *[
        Refers(t, ("batch_id",), "survey_batches", ("batch_id",))
        for t in (
            "survey_items",
            "survey_respondents",
            "survey_answers",
            "survey_demographics",
            "survey_comments",
        )
    ],
    Refers("survey_answers", ("batch_id", "resp_no"), "survey_respondents", ("batch_id", "resp_no")),
    Refers("survey_answers", ("batch_id", "item"), "survey_items", ("batch_id", "item")),
    Allowed(
        "survey_answers", "status", lambda s: ("ok", "missing", "invalid"), "응답 상태(ok, missing, invalid)"
    ),
    Unique("kpi_definitions", kpi.DEF_KEY),
    Unique("kpi_actuals", kpi.ACT_KEY),
    *[
        NotNull(t, c)
        for t, key in (("kpi_definitions", kpi.DEF_KEY), ("kpi_actuals", kpi.ACT_KEY))
        for c in key
    ],
    Allowed("kpi_definitions", "direction", lambda s: tuple(kpi.DIRECTIONS), "KPI 방향(ccm.kpi.DIRECTIONS)"),
    Allowed(
        "kpi_definitions", "aggregation", lambda s: tuple(kpi.AGGREGATIONS), "KPI 집계(ccm.kpi.AGGREGATIONS)"
    ),
    *_batch_refs("kpi_definitions", "kpi", ("batch_id", "updated_batch_id")),
    *_batch_refs("kpi_actuals", "kpi", ("batch_id", "updated_batch_id")),
    Refers(
        "kpi_actuals",
        ("year", "department", "indicator"),
        "kpi_definitions",
        ("year", "department", "indicator"),
    ),
    Unique("phone_calls", ("call_id",)),
    *_batch_refs("phone_calls", "phone"),
    Unique("phone_scores", ("call_id", "item")),
    Refers("phone_scores", ("call_id",), "phone_calls", ("call_id",)),
    *_batch_refs("training_records", "training"),
    *_batch_refs("training_records_replaced", "training", ("batch_id", "replaced_by_batch")),
    *_batch_refs("improvement_actions", "actions"),
    Allowed("improvement_actions", "status", lambda s: tuple(s.actions.statuses), "설정 [actions] statuses"),
    Allowed(
        "phone_calls",
        "evaluator_type",
        lambda s: tuple(s.phone.evaluator_types),
        "설정 [phone] evaluator_types",
    ),
    Refers("action_voc", ("action_id",), "improvement_actions", ("action_id",)),
    Refers("sessions", ("username",), "users", ("username",)),
]


def _failure(con: duckdb.DuckDBPyConnection, check: Check, settings: Settings) -> str | None:
    params = {"allowed": list(check.values(settings))} if isinstance(check, Allowed) else {}
    rows = con.execute(check.sql(), params).fetchall()
    if not rows:
        return None
    examples = [r[0] for r in rows[:SAMPLE] if r[0] != ""]
    return check.message(len(rows)) + (f" (예: {', '.join(examples)})" if examples else "")


def checks(con: duckdb.DuckDBPyConnection, settings: Settings) -> list[str]:
    """One Korean line per check that fails on this database (empty list: every check holds)."""
    return [line for check in CHECKS if (line := _failure(con, check, settings))]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m ccm.data_checks", description="데이터베이스 자료 점검")
    parser.add_argument("--db", help="데이터베이스 파일 (기본: 설정의 [database] path)")
    args = parser.parse_args(argv)
    settings = load_settings(db=Path(args.db).resolve()) if args.db else load_settings()
    path = Path(args.db) if args.db else settings.db_path
    if not path.is_file():
        print(f"데이터베이스 파일이 없습니다: {path}", file=sys.stderr)
        return 2
    with db.session(path) as con:
        failures = checks(con, settings)
    if hasattr(sys.stdout, "reconfigure"):
        sys.stdout.reconfigure(encoding="utf-8")
    print("\n".join(failures) if failures else f"점검 {len(CHECKS)}가지 모두 통과: {path}")
    return 1 if failures else 0


if __name__ == "__main__":
    raise SystemExit(main())
