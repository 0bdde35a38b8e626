"""The database schema in one place: every sequence, table, migration, index and view, a comment per column.

`ccm.db.connect` applies `DDL` (idempotent: sequences, CREATE TABLE IF NOT EXISTS, MIGRATIONS for databases
made by earlier versions, indexes, views). `python -m ccm.schema` prints docs/data-model.md (a test keeps the
committed file equal to it); `checks(con, settings)` lists data-quality failures in Korean.

Adding a table: append a `Table(name, comment, columns)` to TABLES, one `(name, type, comment)` per column.
Adding a column to an existing table: add it to the table here AND an `ALTER TABLE … ADD COLUMN IF NOT
EXISTS …` to MIGRATIONS (databases made before it). Then `python -m ccm.schema > docs/data-model.md`.
This module imports nothing of the project: everything may import it.
"""

from __future__ import annotations

from dataclasses import dataclass

Column = tuple[str, str, str]  # name, SQL type with constraints and default, comment


@dataclass(frozen=True)
class Table:
    name: str
    comment: str
    columns: tuple[Column, ...]
    constraints: tuple[str, ...] = ()  # table constraints, e.g. "PRIMARY KEY (batch_id, item)"

    def ddl(self) -> str:
        lines = [f"{name} {sql_type}" for name, sql_type, _ in self.columns] + list(self.constraints)
        return f"CREATE TABLE IF NOT EXISTS {self.name} (\n    " + ",\n    ".join(lines) + "\n)"

    @property
    def names(self) -> list[str]:
        return [name for name, _, _ in self.columns]


@dataclass(frozen=True)
class View:
    name: str
    comment: str
    select: str
    source: str  # the table whose column comments describe the view's columns

    def ddl(self) -> str:
        return f"CREATE OR REPLACE VIEW {self.name} AS {self.select}"


SEQUENCES = [
    "CREATE SEQUENCE IF NOT EXISTS batch_seq START 1",
    "CREATE SEQUENCE IF NOT EXISTS audit_seq START 1",
    "CREATE SEQUENCE IF NOT EXISTS action_seq START 1",
]

LOAD_BATCHES = Table(
    "load_batches",
    "One row per loaded file (VOC export, survey, KPI workbook).",
    (
        (
            "batch_id",
            "INTEGER PRIMARY KEY DEFAULT nextval('batch_seq')",
            "Batch number; rows of every table point to it",
        ),
        (
            "kind",
            "VARCHAR NOT NULL",
            "voc | survey | kpi | phone | training | actions (the loader; rollback dispatches on it)",
        ),
        ("file_name", "VARCHAR NOT NULL", "Name of the uploaded file"),
        (
            "sha256",
            "VARCHAR NOT NULL",
            "SHA-256 of the file's bytes (the same file loaded twice is recognised)",
        ),
        ("rows_read", "INTEGER NOT NULL DEFAULT 0", "Data rows read from the file"),
        ("rows_inserted", "INTEGER NOT NULL DEFAULT 0", "Rows new to the store"),
        ("rows_updated", "INTEGER NOT NULL DEFAULT 0", "Rows that replaced a stored version"),
        ("rows_unchanged", "INTEGER NOT NULL DEFAULT 0", "Rows equal to the stored version"),
        ("rows_rejected", "INTEGER NOT NULL DEFAULT 0", "Rows refused (reasons in detail)"),
        (
            "loaded_at",
            "TIMESTAMP NOT NULL DEFAULT current_localtimestamp()",
            "When the load committed (local time)",
        ),
        ("loaded_by", "VARCHAR", "Account or OS user that loaded it"),
        ("status", "VARCHAR NOT NULL DEFAULT 'loaded'", "loaded | rolled_back"),
        ("detail", "JSON", "Loader-specific: mapping, spec, warnings"),
    ),
)

# Columns shared by voc_items and its history of replaced versions.
VOC_ITEM_COLUMNS: tuple[Column, ...] = (
    (
        "voc_id",
        "VARCHAR NOT NULL",
        "접수번호; unique (kept so by etl.voc.store, no index: see ARCHITECTURE.md)",
    ),
    ("received_at", "TIMESTAMP NOT NULL", "접수일시"),
    ("completed_at", "TIMESTAMP", "처리완료일시; NULL while open"),
    ("voc_type", "VARCHAR NOT NULL", "One of the canonical types (settings [voc] types)"),
    ("channel", "VARCHAR", "Canonical channel, or the raw value if unknown"),
    ("department", "VARCHAR", "처리부서"),
    ("facility", "VARCHAR", "시설 (branch, station, office)"),
    ("status", "VARCHAR NOT NULL", "접수 | 처리중 | 완료"),
    ("title", "VARCHAR", "제목, personal data masked"),
    ("content", "VARCHAR", "내용, personal data masked"),
    ("answer", "VARCHAR", "처리내용 (masked), if the export has it"),
    ("customer_key", "VARCHAR", "Keyed hash (HMAC-SHA256) of the customer's identity, never clear"),
    ("clock_start", "TIMESTAMP", "First business minute at or after received_at"),
    ("due_at", "TIMESTAMP", "처리기한: when the deadline falls"),
    ("deadline_minutes", "INTEGER", "Working minutes allowed"),
    ("work_minutes", "INTEGER", "Working minutes from clock_start to completed_at (NULL while open)"),
    ("sla_met", "BOOLEAN", "Completed within the deadline; NULL while open"),
    ("sla_rule", "VARCHAR", "Which rule applied: effective date, days, counting"),
    ("source_row", "INTEGER", "Row number in the source file"),
    ("batch_id", "INTEGER NOT NULL", "Batch that inserted the item (load_batches)"),
    ("updated_batch_id", "INTEGER", "Batch that last changed it"),
    ("export_as_of", "TIMESTAMP", "The export's as-of time: its latest receipt or completion time"),
)
VOC_ITEMS = Table("voc_items", "VOC items, one row per 접수번호 (latest version).", VOC_ITEM_COLUMNS)
VOC_ITEMS_REPLACED = Table(
    "voc_items_replaced",
    "Versions of VOC items replaced by a later batch, so that a batch can be rolled back exactly.",
    VOC_ITEM_COLUMNS + (("replaced_by_batch", "INTEGER NOT NULL", "Batch whose load replaced this version"),),
)

TEXT_TABLES = [
    Table(
        "text_cache",
        "Keywords per distinct cleaned text (shared by items with the same text).",
        (
            ("text_hash", "VARCHAR PRIMARY KEY", "md5 of the cleaned title || LF || content"),
            ("keywords", "VARCHAR[] NOT NULL", "Distinct nouns, in order of appearance"),
            ("tokens", "VARCHAR", "Content words, space-separated"),
        ),
    ),
    Table(
        "voc_text_state",
        "Which text each item's keywords and topics were made from.",
        (
            ("voc_id", "VARCHAR PRIMARY KEY", "voc_items.voc_id"),
            ("text_hash", "VARCHAR NOT NULL", "The cleaned text the item's keywords/topics were made from"),
            ("row_sig", "UBIGINT", "Hash of the text and the copied columns (change detection)"),
            ("bp_sig", "UBIGINT", "Hash of the boilerplate cut from the text"),
        ),
    ),
    # The item's scope columns are copied next to each keyword/topic (kept in step by enrich through
    # row_sig), so that page queries filter one table instead of joining millions of rows.
    Table(
        "voc_keywords",
        "Keywords of each VOC item, with copies of the item's filter columns.",
        (
            ("voc_id", "VARCHAR NOT NULL", "voc_items.voc_id"),
            ("keyword", "VARCHAR NOT NULL", "A noun of the item's text"),
            ("received_at", "TIMESTAMP", "Copy of voc_items.received_at"),
            ("department", "VARCHAR", "Copy of voc_items.department"),
        ),
    ),
    Table(
        "voc_topics",
        "Topics of each VOC item (기타 when none), with copies of the item's filter columns.",
        (
            ("voc_id", "VARCHAR NOT NULL", "voc_items.voc_id"),
            ("topic", "VARCHAR NOT NULL", "Topic from the dictionary (settings [text])"),
            ("received_at", "TIMESTAMP", "Copy of voc_items.received_at"),
            ("completed_at", "TIMESTAMP", "Copy of voc_items.completed_at"),
            ("voc_type", "VARCHAR", "Copy of voc_items.voc_type"),
            ("department", "VARCHAR", "Copy of voc_items.department"),
            ("facility", "VARCHAR", "Copy of voc_items.facility"),
        ),
    ),
    Table(
        "text_meta",
        "Markers of the text analysis (versions, running analysis).",
        (
            ("key", "VARCHAR PRIMARY KEY", "Marker name"),
            ("value", "VARCHAR", "Marker value"),
        ),
    ),
    Table(
        "text_boilerplate",
        "Boilerplate fragments learned per loaded file and per channel.",
        (
            ("kind", "VARCHAR NOT NULL", "batch (a loaded file) | channel"),
            ("source", "VARCHAR NOT NULL", "batch_id or channel name"),
            ("fragment", "VARCHAR NOT NULL", "Normalised: spaces collapsed, every number as #"),
            ("texts", "INTEGER NOT NULL", "Distinct texts of the source's sample holding it"),
            ("total", "INTEGER NOT NULL", "Distinct texts in the sample"),
        ),
    ),
]

SURVEY_TABLES = [
    Table(
        "survey_batches",
        "One row per survey load; one active batch per survey + year + wave.",
        (
            ("batch_id", "INTEGER PRIMARY KEY", "= load_batches.batch_id"),
            ("survey", "VARCHAR NOT NULL", "PCSI | 교육만족도 | 전화친절도 ..."),
            ("year", "INTEGER NOT NULL", "Survey year"),
            ("wave", "VARCHAR NOT NULL DEFAULT ''", "Wave within the year ('' if one)"),
            ("scale", "INTEGER NOT NULL", "3 | 4 | 5 | 7 | 10 (1–10) | 11 (0–10)"),
            ("overall_area", "VARCHAR", "The area holding 전반적만족 (outcome of the IPA)"),
            ("spec", "JSON NOT NULL", "The confirmed survey spec"),
            ("sha256", "VARCHAR NOT NULL", "SHA-256 of the file"),
            ("active", "BOOLEAN NOT NULL DEFAULT TRUE", "The batch the figures use"),
            ("replaced_by", "INTEGER", "Batch that replaced this one (same survey/year/wave)"),
        ),
    ),
    Table(
        "survey_items",
        "Questions of a survey batch.",
        (
            ("batch_id", "INTEGER NOT NULL", "survey_batches.batch_id"),
            ("item", "VARCHAR NOT NULL", "Question code (column of the file)"),
            ("area", "VARCHAR NOT NULL", "Area the question belongs to"),
            ("label", "VARCHAR", "Question text"),
            ("reverse", "BOOLEAN NOT NULL DEFAULT FALSE", "Reverse-scored question"),
            ("position", "INTEGER NOT NULL", "Order in the file"),
        ),
        ("PRIMARY KEY (batch_id, item)",),
    ),
    Table(
        "survey_respondents",
        "Respondents of a survey batch.",
        (
            ("batch_id", "INTEGER NOT NULL", "survey_batches.batch_id"),
            ("resp_no", "INTEGER NOT NULL", "Row number in the file"),
            ("respondent_id", "VARCHAR", "Survey firm's ID, personal data masked"),
            ("survey_date", "DATE", "Date of the interview"),
            ("facility", "VARCHAR", "Facility the respondent used"),
            ("customer_type", "VARCHAR", "Customer group"),
            ("weight", "DOUBLE NOT NULL DEFAULT 1.0", "Respondent weight"),
        ),
        ("PRIMARY KEY (batch_id, resp_no)",),
    ),
    Table(
        "survey_answers",
        "Answers, one row per respondent and question.",
        (
            ("batch_id", "INTEGER NOT NULL", "survey_batches.batch_id"),
            ("resp_no", "INTEGER NOT NULL", "survey_respondents.resp_no"),
            ("item", "VARCHAR NOT NULL", "survey_items.item"),
            ("raw", "VARCHAR", "The answer as written in the file"),
            ("score", "DOUBLE", "0–100; NULL unless status = 'ok'"),
            ("status", "VARCHAR NOT NULL", "ok | missing (blank or missing code) | invalid (out of scale)"),
        ),
        ("PRIMARY KEY (batch_id, resp_no, item)",),
    ),
    Table(
        "survey_demographics",
        "Respondents' demographic answers (long form).",
        (
            ("batch_id", "INTEGER NOT NULL", "survey_batches.batch_id"),
            ("resp_no", "INTEGER NOT NULL", "survey_respondents.resp_no"),
            ("attribute", "VARCHAR NOT NULL", "Demographic question (성별, 연령대 ...)"),
            ("value", "VARCHAR", "The answer"),
        ),
    ),
    Table(
        "survey_comments",
        "Open answers of respondents.",
        (
            ("batch_id", "INTEGER NOT NULL", "survey_batches.batch_id"),
            ("resp_no", "INTEGER NOT NULL", "survey_respondents.resp_no"),
            ("question", "VARCHAR NOT NULL", "Open question"),
            ("text", "VARCHAR", "The answer, personal data masked"),
        ),
    ),
]

KPI_DEF_COLUMNS: tuple[Column, ...] = (
    ("year", "INTEGER NOT NULL", "KPI year"),
    ("department", "VARCHAR NOT NULL", "Department (or the organisation unit, settings [kpi] org_unit)"),
    ("strategy", "VARCHAR", "전략"),
    ("task", "VARCHAR", "과제"),
    ("core_task", "VARCHAR", "핵심과제"),
    ("indicator", "VARCHAR NOT NULL", "지표명"),
    ("unit", "VARCHAR", "Unit of the target and actuals"),
    ("direction", "VARCHAR NOT NULL", "higher | lower | zero"),
    ("aggregation", "VARCHAR NOT NULL", "cumulative | average | latest"),
    ("annual_target", "DOUBLE NOT NULL", "연간 목표"),
    ("plan", "DOUBLE[]", "Monthly plan (12 values), if given"),
    ("weight", "DOUBLE NOT NULL", "가중치 within the department"),
    ("source", "VARCHAR", "Where the actuals come from (manual, or an automatic source)"),
    ("source_row", "INTEGER", "Row number in the workbook"),
    ("batch_id", "INTEGER NOT NULL", "Batch that inserted the row (load_batches)"),
    ("updated_batch_id", "INTEGER NOT NULL", "Batch that last changed it"),
)
KPI_ACT_COLUMNS: tuple[Column, ...] = (
    ("year", "INTEGER NOT NULL", "KPI year"),
    ("month", "INTEGER NOT NULL", "Month 1–12"),
    ("department", "VARCHAR NOT NULL", "kpi_definitions.department"),
    ("indicator", "VARCHAR NOT NULL", "kpi_definitions.indicator"),
    ("actual", "DOUBLE NOT NULL", "The month's actual"),
    ("note", "VARCHAR", "비고"),
    ("source_row", "INTEGER", "Row number in the workbook"),
    ("batch_id", "INTEGER NOT NULL", "Batch that inserted the row (load_batches)"),
    ("updated_batch_id", "INTEGER NOT NULL", "Batch that last changed it"),
)
_REPLACED: Column = ("replaced_by_batch", "INTEGER NOT NULL", "Batch whose load replaced this version")
KPI_TABLES = [
    Table("kpi_definitions", "KPI definitions, keyed by year + department + indicator.", KPI_DEF_COLUMNS),
    Table(
        "kpi_definitions_replaced",
        "Replaced versions of KPI definitions (for rollback).",
        KPI_DEF_COLUMNS + (_REPLACED,),
    ),
    Table(
        "kpi_actuals",
        "Manual monthly KPI actuals, keyed by year + month + department + indicator.",
        KPI_ACT_COLUMNS,
    ),
    Table(
        "kpi_actuals_replaced",
        "Replaced versions of KPI actuals (for rollback).",
        KPI_ACT_COLUMNS + (_REPLACED,),
    ),
]

TRAINING_COLUMNS: tuple[Column, ...] = (
    ("batch_id", "INTEGER NOT NULL", "Batch that wrote this version (load_batches, kind 'training')"),
    ("source_row", "INTEGER NOT NULL", "Row number in that file"),
    ("emp_no", "VARCHAR NOT NULL", "사번: identifies the person"),
    (
        "name",
        "VARCHAR",
        "성명 in clear: the per-person record of manual §3.3.1-7 (shown to 관리자/분석 only)",
    ),
    ("department", "VARCHAR", "부서 at the time of the training"),
    ("series", "VARCHAR", "직렬"),
    ("grade", "VARCHAR", "직급"),
    ("role", "VARCHAR", "역할 from the file: CCO | CCM 담당자 | CCM 리더 | 일반 (NULL = not given)"),
    ("institution", "VARCHAR", "교육기관"),
    ("course", "VARCHAR NOT NULL", "과정명"),
    ("start_date", "DATE NOT NULL", "교육 시작일 (its year is the record's year)"),
    ("end_date", "DATE NOT NULL", "교육 종료일 (= 시작일 when not given)"),
    ("hours", "DOUBLE NOT NULL", "교육시간: actual hours (manual §3.3.1-7③)"),
    ("refund", "BOOLEAN", "고용보험 환급 여부 (NULL = not given)"),
    ("ccm_flag", "BOOLEAN", "'CCM 교육 여부' column (NULL = decided by [training] ccm_keywords)"),
    ("evidence", "VARCHAR", "수료증 근거 (certificate / result report), personal data masked"),
)
TRAINING_TABLES = [
    Table(
        "training_records",
        "Per-person training results (ccm.training), keyed by 사번 + 과정명 + 시작일.",
        TRAINING_COLUMNS,
        ("PRIMARY KEY (emp_no, course, start_date)",),
    ),
    Table(
        "training_records_replaced",
        "Replaced versions of training records (for rollback).",
        TRAINING_COLUMNS
        + (("replaced_by_batch", "INTEGER NOT NULL", "Batch whose load replaced this version"),),
    ),
]

ACTION_TABLES = [
    Table(
        "improvement_actions",
        "개선과제 (ccm.actions; manual §4.2.1-3⑥, §4.3.2-4): the register and its status flow.",
        (
            ("action_id", "INTEGER PRIMARY KEY DEFAULT nextval('action_seq')", "과제번호"),
            ("title", "VARCHAR NOT NULL", "과제명"),
            ("cause", "VARCHAR", "발생원인 (manual §4.3.2-4)"),
            ("direction", "VARCHAR", "개선방향"),
            (
                "department",
                "VARCHAR NOT NULL",
                "개선시행 부서: the owner (a 부서 account sees and changes only its own)",
            ),
            ("schedule", "VARCHAR", "세부 일정 (free text)"),
            ("due_date", "DATE", "완료 예정일 (required from the second stage, 계획, on)"),
            (
                "status",
                "VARCHAR NOT NULL",
                "진행 상태, one of [actions] statuses: 발굴 → 계획 → 시행 → 완료 → 효과 확인",
            ),
            ("topic", "VARCHAR", "Targeted VOC topic (voc_topics.topic); NULL = any topic"),
            ("facility", "VARCHAR", "Targeted facility; NULL = any (both NULL: no effect is measured)"),
            (
                "customer_told",
                "BOOLEAN NOT NULL DEFAULT FALSE",
                "고객 피드백 여부: the result was told to the customer",
            ),
            ("completed_on", "DATE", "완료일: set when the status reaches 완료, cleared if it is moved back"),
            ("origin", "VARCHAR", "Where it was made: 경중도×빈도 | 재발 | 선택한 VOC | 엑셀 | 직접 입력"),
            ("created_at", "TIMESTAMP NOT NULL", "When it was registered (ccm.period.now)"),
            ("created_by", "VARCHAR", "Account that registered it"),
            ("updated_at", "TIMESTAMP NOT NULL", "Last change"),
            ("updated_by", "VARCHAR", "Account of the last change"),
            (
                "batch_id",
                "INTEGER",
                "load_batches row (kind 'actions') of the Excel import that made it; NULL otherwise",
            ),
        ),
    ),
    Table(
        "action_voc",
        "The VOC items that triggered an improvement action (action ↔ voc_id).",
        (
            ("action_id", "INTEGER NOT NULL", "improvement_actions.action_id"),
            ("voc_id", "VARCHAR NOT NULL", "voc_items.voc_id (접수번호)"),
        ),
    ),
]

PHONE_TABLES = [
    Table(
        "phone_calls",
        "전화친절도 모니터링 (ccm.phone; manual §1.3-13, §5.1.1): one row per monitored call.",
        (
            ("call_id", "BIGINT NOT NULL", "batch_id × 1,000,000 + row of the file: unique per call"),
            ("batch_id", "INTEGER NOT NULL", "load_batches row (kind 'phone') that loaded the call"),
            ("source_row", "INTEGER", "Row of the file (as Excel shows it)"),
            ("call_date", "DATE NOT NULL", "통화일: date of the monitored call"),
            ("department", "VARCHAR NOT NULL", "Department that answered (configured name, aliases applied)"),
            (
                "evaluator_id",
                "VARCHAR",
                "평가자: a code as given, or '평가자-' + keyed hash of a person's name",
            ),
            (
                "evaluator_type",
                "VARCHAR NOT NULL",
                "평가자 구분: 내부 | 교차기관 | 외부기관 ([phone] evaluator_types)",
            ),
            (
                "total",
                "DOUBLE NOT NULL",
                "Σ item scores, recomputed (a differing total in the file is only warned about)",
            ),
            (
                "total_max",
                "DOUBLE NOT NULL",
                "Σ item maxima of the checklist at load time (score = total ÷ total_max × 100)",
            ),
            ("note", "VARCHAR", "비고, phones/e-mails/주민번호 and the evaluator's name masked"),
        ),
    ),
    Table(
        "phone_scores",
        "Item scores of each monitored call (checklist of [phone] items at load time).",
        (
            ("call_id", "BIGINT NOT NULL", "phone_calls.call_id"),
            ("item", "VARCHAR NOT NULL", "점검 항목 (인사, 응대, 정확성, 종결 …)"),
            ("score", "DOUBLE NOT NULL", "The item's score"),
            ("max_score", "DOUBLE NOT NULL", "The item's maximum (배점) at load time"),
        ),
    ),
]

AUDIT_LOG = Table(
    "audit_log",
    "Who did what, when (ccm.audit.record).",
    (
        ("audit_id", "BIGINT PRIMARY KEY DEFAULT nextval('audit_seq')", "Entry number"),
        ("at_time", "TIMESTAMP NOT NULL DEFAULT current_localtimestamp()", "When (local time)"),
        ("username", "VARCHAR", "Account (NULL for the command line without a user)"),
        ("action", "VARCHAR NOT NULL", "Action key (ccm.audit.ACTIONS)"),
        ("detail", "VARCHAR", "What, in Korean"),
    ),
)

AUTH_TABLES = [
    Table(
        "users",
        "Local accounts.",
        (
            ("username", "VARCHAR PRIMARY KEY", "Account name"),
            ("role", "VARCHAR NOT NULL", "관리자 | 분석 | 열람 | 부서"),
            ("department", "VARCHAR", "Required for 부서"),
            ("password_hash", "VARCHAR", "argon2id; NULL = no password (single sign-on only)"),
            ("oidc_email", "VARCHAR", "Single sign-on identity mapped to this account"),
            ("active", "BOOLEAN NOT NULL DEFAULT TRUE", "FALSE = disabled"),
            (
                "created_at",
                "TIMESTAMP NOT NULL DEFAULT current_localtimestamp()",
                "When the account was made",
            ),
            ("password_changed_at", "TIMESTAMP", "Last password change"),
        ),
    ),
    Table(
        "login_attempts",
        "Sign-in attempts (for the lockout after repeated failures).",
        (
            ("username", "VARCHAR NOT NULL", "Account name as typed"),
            ("attempted_at", "TIMESTAMP NOT NULL", "When"),
            ("success", "BOOLEAN NOT NULL", "Whether it succeeded"),
        ),
    ),
    Table(
        "sessions",
        "Sign-in sessions (the token a browser keeps).",
        (
            ("token_hash", "VARCHAR PRIMARY KEY", "HMAC-SHA256 of the token under the server's secret key"),
            ("username", "VARCHAR NOT NULL", "users.username"),
            ("created_at", "TIMESTAMP NOT NULL", "Sign-in time"),
            ("last_seen", "TIMESTAMP NOT NULL", "Written now and then, not on every click (see ui.auth)"),
            ("expires_at", "TIMESTAMP NOT NULL", "created_at + max_session_hours"),
            ("revoked_at", "TIMESTAMP", "When it was ended"),
            ("revoked_reason", "VARCHAR", "logout | password_change | account_disabled"),
        ),
    ),
]

TABLES: list[Table] = [
    LOAD_BATCHES,
    VOC_ITEMS,
    VOC_ITEMS_REPLACED,
    *TEXT_TABLES,
    *SURVEY_TABLES,
    *KPI_TABLES,
    *TRAINING_TABLES,
    *ACTION_TABLES,
    *PHONE_TABLES,
    AUDIT_LOG,
    *AUTH_TABLES,
]

# Databases made by earlier versions: columns added since (idempotent).
MIGRATIONS = [
    "ALTER TABLE voc_items ADD COLUMN IF NOT EXISTS export_as_of TIMESTAMP",
    "ALTER TABLE voc_items_replaced ADD COLUMN IF NOT EXISTS export_as_of TIMESTAMP",
    "ALTER TABLE voc_text_state ADD COLUMN IF NOT EXISTS row_sig UBIGINT",
    "ALTER TABLE voc_keywords ADD COLUMN IF NOT EXISTS received_at TIMESTAMP",
    "ALTER TABLE voc_keywords ADD COLUMN IF NOT EXISTS department VARCHAR",
    "ALTER TABLE voc_topics ADD COLUMN IF NOT EXISTS received_at TIMESTAMP",
    "ALTER TABLE voc_topics ADD COLUMN IF NOT EXISTS completed_at TIMESTAMP",
    "ALTER TABLE voc_topics ADD COLUMN IF NOT EXISTS voc_type VARCHAR",
    "ALTER TABLE voc_topics ADD COLUMN IF NOT EXISTS department VARCHAR",
    "ALTER TABLE voc_topics ADD COLUMN IF NOT EXISTS facility VARCHAR",
    "ALTER TABLE text_cache ADD COLUMN IF NOT EXISTS tokens VARCHAR",
    "ALTER TABLE voc_text_state ADD COLUMN IF NOT EXISTS bp_sig UBIGINT",
]

# voc_items has no index on voc_id: maintaining it took a third of the time of a 1M-row load.
INDEXES: list[str] = []

VIEWS = [
    View(
        "voc",
        "The public view of VOC items (without answer, source row and update batch).",
        """
       SELECT voc_id, received_at, completed_at, voc_type, channel, department, facility, status,
              title, content, due_at, work_minutes, sla_met, clock_start, deadline_minutes, sla_rule,
              customer_key, batch_id
       FROM voc_items""",
        "voc_items",
    ),
]


def table(name: str) -> Table:
    return next(t for t in TABLES if t.name == name)


def ddl() -> list[str]:
    """Every statement, in the order they must run; each is idempotent."""
    return [*SEQUENCES, *(t.ddl() for t in TABLES), *MIGRATIONS, *INDEXES, *(v.ddl() for v in VIEWS)]


def _cell(text: str) -> str:
    return text.replace("|", "\\|")


def _table_doc(t: Table) -> list[str]:
    lines = [f"### {t.name}", "", t.comment, "", "| Column | Type | Comment |", "|---|---|---|"]
    lines += [
        f"| `{name}` | `{_cell(sql_type)}` | {_cell(comment)} |" for name, sql_type, comment in t.columns
    ]
    if t.constraints:
        lines += ["", "Constraints: " + ", ".join(f"`{c}`" for c in t.constraints)]
    return lines + [""]


def _view_doc(v: View, described: list[tuple[str, str]]) -> list[str]:
    comments = {name: comment for name, _, comment in table(v.source).columns}
    lines = [
        f"### {v.name}",
        "",
        f"{v.comment} Reads `{v.source}`.",
        "",
        "| Column | Type | Comment |",
        "|---|---|---|",
    ]
    lines += [
        f"| `{name}` | `{sql_type}` | {_cell(comments.get(name, ''))} |" for name, sql_type in described
    ]
    return lines + [""]


def doc() -> str:
    """docs/data-model.md: every table and view with its columns, types and comments."""
    import duckdb

    con = duckdb.connect(":memory:")
    for stmt in ddl():
        con.execute(stmt)
    views = {v.name: con.execute(f"DESCRIBE {v.name}").fetchall() for v in VIEWS}
    con.close()
    lines = [
        "# Data model",
        "",
        "Generated from `ccm/schema.py` by `python -m ccm.schema > docs/data-model.md` (or `--write`); do not "
        "edit by hand: a test checks that this file equals the generated text. Data checks (unique keys, "
        "allowed values, batches of every row): `python -m ccm.data_checks`.",
        "",
        "## Tables",
        "",
        " · ".join(f"[{t.name}](#{t.name})" for t in TABLES),
        "",
    ]
    for t in TABLES:
        lines += _table_doc(t)
    lines += ["## Views", ""]
    for v in VIEWS:
        lines += _view_doc(v, [(r[0], r[1]) for r in views[v.name]])
    lines += [
        "## Sequences, indexes and migrations",
        "",
        "Applied by `ccm.db.connect` when the schema changed, in "
        "this order: sequences, tables, migrations (databases made by earlier versions), indexes, views.",
        "",
    ]
    lines += [f"- `{stmt}`" for stmt in [*SEQUENCES, *MIGRATIONS, *INDEXES]]
    return "\n".join(lines) + "\n"


DOC_PATH = "docs/data-model.md"


def main(argv: list[str] | None = None) -> int:
    import argparse
    import sys
    from pathlib import Path

    parser = argparse.ArgumentParser(
        prog="python -m ccm.schema", description="데이터 모델 문서(docs/data-model.md) 만들기"
    )
    parser.add_argument("--write", action="store_true", help=f"표준 출력 대신 {DOC_PATH} 에 씀(UTF-8)")
    args = parser.parse_args(argv)
    text = doc()
    if args.write:
        Path(__file__).resolve().parent.parent.joinpath(DOC_PATH).write_text(text, encoding="utf-8")
        return 0
    if hasattr(sys.stdout, "reconfigure"):
        sys.stdout.reconfigure(encoding="utf-8", newline="\n")
    sys.stdout.write(text)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
