"""Improvement actions (개선과제, manual §4.2.1-3⑥, §4.3.2-4, §5.1.3): the register, who may change what,
and the measured effect of a completed action on the VOC of the topic/facility it targets.

Rules:
- 관리자 and 분석 (the CCM team) see and change every action; 부서 only its own department's; 열람 reads.
- Status follows the manual's flow (settings [actions] statuses) and moves only forward; 관리자 may
  move it back (a mistaken 완료). '효과 확인' is the CCM team's (혁신안전팀 확인: 관리자·분석 only).
- Every create, update and status change is one audit_log row (ccm.audit.record).
- Effect: equal windows of `effect_window_days` before the completion day and after it (the completion
  day itself in neither); counts of the targeted VOC, the share of complaints and recurrences; the
  after/before volume compared as two Poisson counts over equal time (exact conditional binomial test,
  after ~ Binomial(before + after, ½) when nothing changed).
Pure Python (no Streamlit).
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date, datetime
from typing import Any, Protocol

import duckdb
import numpy as np
import pandas as pd

from ccm.audit import record
from ccm.db import transaction
from ccm.period import Scope

# Tables: improvement_actions and action_voc in ccm/schema.py (ACTION_TABLES).

TEAM = ("관리자", "분석")
EDITORS = (*TEAM, "부서")
DEFAULT_STATUSES = ("발굴", "계획", "시행", "완료", "효과 확인")
FIELDS = {  # column → Korean label (pages, template, audit details)
    "title": "과제명",
    "cause": "발생원인",
    "direction": "개선방향",
    "department": "개선시행 부서",
    "schedule": "세부 일정",
    "due_date": "완료 예정일",
    "status": "진행 상태",
    "topic": "대상 주제",
    "facility": "대상 시설",
    "customer_told": "고객 피드백 여부",
    "completed_on": "완료일",
}
EDITABLE = tuple(FIELDS)
VERDICTS = ("개선됨", "변화 없음", "악화", "판단 보류")
AUDIT_LABELS = {
    "action_create": "개선과제 등록",
    "action_update": "개선과제 수정",
    "action_status": "개선과제 단계 변경",
}


class ActionError(ValueError):
    """Why a change was refused (Korean); `field` names the column at fault, when one is."""

    def __init__(self, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.field = field


class Actor(Protocol):
    username: str
    role: str
    department: str | None


@dataclass(frozen=True)
class Rules:
    """settings [actions] as the functions here use them."""

    statuses: tuple[str, ...] = DEFAULT_STATUSES
    window_days: int = 90
    min_items: int = 10
    alpha: float = 0.05
    complaint_types: tuple[str, ...] = ("불만", "고충")
    recurrence_days: int = 90
    recurrence_types: tuple[str, ...] = ("불만", "고충", "긴급요청", "건의")
    departments: tuple[str, ...] = ()

    @property
    def done(self) -> str:
        return self.statuses[3] if len(self.statuses) > 3 else self.statuses[-1]

    @property
    def checked(self) -> str:
        return self.statuses[-1]

    def finished(self) -> tuple[str, ...]:
        return self.statuses[self.statuses.index(self.done) :]


def rules_from(settings) -> Rules:
    cfg, tr = settings.actions, settings.trends
    return Rules(
        statuses=cfg.statuses,
        window_days=cfg.effect_window_days,
        min_items=cfg.min_items,
        alpha=cfg.alpha,
        complaint_types=settings.complaint_types,
        recurrence_days=tr.recurrence_days,
        recurrence_types=tr.recurrence_types,
        departments=tuple(settings.departments),
    )


# ---------------------------------------------------------------------------------------------
# who may do what


def can_edit(user: Actor, department: str | None) -> bool:
    """관리자·분석: any action; 부서: its own department's; 열람: none."""
    return user.role in TEAM or (
        user.role == "부서" and bool(user.department) and department == user.department
    )


def _check_status_move(user: Actor, rules: Rules, old: str | None, new: str) -> None:
    if new not in rules.statuses:
        raise ActionError(
            f"진행 상태 '{new}'은(는) 없는 단계입니다({' → '.join(rules.statuses)} 중 하나).", "status"
        )
    if new == rules.checked and old != new and user.role not in TEAM:
        raise ActionError(
            f"'{rules.checked}'은(는) CCM 주관부서(관리자·분석 권한)가 결과의 효과를 확인하고 정합니다.",
            "status",
        )
    if old is not None and rules.statuses.index(new) < rules.statuses.index(old) and user.role != "관리자":
        raise ActionError(
            f"진행 상태는 앞으로만 바꿀 수 있습니다('{old}' → '{new}'). 되돌리기는 관리자에게 요청하세요.",
            "status",
        )


def _normalise(values: dict[str, Any], rules: Rules, today: date) -> dict[str, Any]:
    """Check one action's values (all fields present) and fill 완료일 when the status reaches 완료."""
    v = dict(values)
    for k in ("title", "cause", "direction", "schedule", "topic", "facility", "department"):
        v[k] = (str(v[k]).strip() or None) if v.get(k) is not None else None
    if not v["title"]:
        raise ActionError("과제명을 적으세요.", "title")
    if v["department"] not in rules.departments:
        raise ActionError(
            f"개선시행 부서 '{v['department'] or ''}'은(는) 설정의 부서 목록에 없습니다.", "department"
        )
    stage = rules.statuses.index(v["status"])
    if stage >= 1 and v.get("due_date") is None:
        raise ActionError(
            f"'{rules.statuses[1]}' 단계부터는 완료 예정일(세부 일정)이 있어야 합니다 (매뉴얼 §4.3.2-4).",
            "due_date",
        )
    finished = v["status"] in rules.finished()
    if finished and v.get("completed_on") is None:
        v["completed_on"] = today
    if not finished:
        v["completed_on"] = None
    if v["completed_on"] is not None and v["completed_on"] > today:
        raise ActionError(f"완료일 {v['completed_on']:%Y-%m-%d}이(가) 오늘보다 뒤입니다.", "completed_on")
    v["customer_told"] = bool(v.get("customer_told"))
    return v


def _detail(action_id: int, v: dict[str, Any], keys) -> str:
    def show(x):
        return (
            "예"
            if x is True
            else "아니오"
            if x is False
            else ""
            if x is None
            else f"{x:%Y-%m-%d}"
            if isinstance(x, date)
            else str(x)
        )

    return f"과제 {action_id}번: " + ", ".join(f"{FIELDS[k]}={show(v[k])}" for k in keys)


def create(
    con: duckdb.DuckDBPyConnection,
    user: Actor,
    rules: Rules,
    values: dict[str, Any],
    voc_ids: tuple[str, ...] = (),
    *,
    origin: str = "직접 입력",
    now: datetime,
    batch_id: int | None = None,
    in_transaction: bool = False,
) -> int:
    """Register an action (status defaults to the first stage); returns its action_id. Audited."""
    full = {k: values.get(k) for k in EDITABLE}
    full["status"] = full["status"] or rules.statuses[0]
    if not can_edit(user, full.get("department")):
        raise ActionError(refusal(user))
    _check_status_move(user, rules, None, full["status"])
    v = _normalise(full, rules, now.date())

    def write() -> int:
        action_id = con.execute(
            f"""INSERT INTO improvement_actions ({", ".join(EDITABLE)}, origin, created_at, created_by, updated_at,
                    updated_by, batch_id) VALUES ({", ".join("?" * (len(EDITABLE) + 6))}) RETURNING action_id""",
            [*(v[k] for k in EDITABLE), origin, now, user.username, now, user.username, batch_id],
        ).fetchone()[0]
        ids = sorted(set(voc_ids))
        if ids:
            con.execute("INSERT INTO action_voc SELECT ?, unnest(?)", [action_id, ids])
        record(
            con,
            user.username,
            "action_create",
            _detail(action_id, v, ("title", "department", "status", "topic", "facility", "due_date"))
            + f", 만든 곳={origin}, 관련 VOC {len(ids)}건",
            at=now,
        )
        return action_id

    if in_transaction:
        return write()
    with transaction(con):
        return write()


def get(con: duckdb.DuckDBPyConnection, action_id: int) -> dict[str, Any] | None:
    df = con.execute(
        f"SELECT action_id, {', '.join(EDITABLE)} FROM improvement_actions WHERE action_id = ?", [action_id]
    ).df()
    if df.empty:
        return None
    row = df.iloc[0].to_dict()
    for k in ("due_date", "completed_on"):
        row[k] = None if pd.isna(row[k]) else pd.Timestamp(row[k]).date()
    return {k: (None if not isinstance(x, (bool, np.bool_)) and pd.isna(x) else x) for k, x in row.items()}


def update(
    con: duckdb.DuckDBPyConnection,
    user: Actor,
    rules: Rules,
    action_id: int,
    changes: dict[str, Any],
    *,
    now: datetime,
    in_transaction: bool = False,
) -> list[str]:
    """Change fields of one action; returns the Korean labels of the fields that changed ([] = nothing).
    A status change is audited as such (action_status), other fields as action_update."""
    old = get(con, action_id)
    if old is None:
        raise ActionError(f"개선과제 {action_id}번이 없습니다.")
    if not can_edit(user, old["department"]):
        raise ActionError(refusal(user, old["department"]))
    unknown = set(changes) - set(EDITABLE)
    if unknown:
        raise ValueError(f"unknown fields: {sorted(unknown)}")
    new = {**old, **changes}
    if "department" in changes and not can_edit(user, new["department"]):
        raise ActionError("다른 부서로 넘기는 일은 CCM 주관부서(관리자·분석 권한)가 합니다.", "department")
    if new["status"] != old["status"]:
        _check_status_move(user, rules, old["status"], new["status"])
    if (
        "completed_on" not in changes
        and new["status"] in rules.finished()
        and old["status"] not in rules.finished()
    ):
        new["completed_on"] = None  # reaching 완료 now: completed today unless a date was given
    v = _normalise({k: new[k] for k in EDITABLE}, rules, now.date())
    changed = [k for k in EDITABLE if v[k] != old[k]]
    if not changed:
        return []

    def write() -> None:
        con.execute(
            f"UPDATE improvement_actions SET {', '.join(f'{k} = ?' for k in changed)}, updated_at = ?, "
            "updated_by = ? WHERE action_id = ?",
            [*(v[k] for k in changed), now, user.username, action_id],
        )
        if "status" in changed:
            record(
                con,
                user.username,
                "action_status",
                f"과제 {action_id}번: {old['status']} → {v['status']}",
                at=now,
            )
        rest = [k for k in changed if k != "status"]
        if rest:
            record(con, user.username, "action_update", _detail(action_id, v, rest), at=now)

    if in_transaction:
        write()
    else:
        with transaction(con):
            write()
    return [FIELDS[k] for k in changed]


def refusal(user: Actor, department: str | None = None) -> str:
    if user.role == "열람":
        return "열람 권한은 개선과제를 볼 수만 있습니다."
    return f"{user.department or '소속 부서'}의 개선과제만 등록·수정할 수 있습니다" + (
        f" (이 과제: {department})." if department else "."
    )


# ---------------------------------------------------------------------------------------------
# register


def _departments_of(scope: Scope, alias: str = "a") -> tuple[str, list]:
    """The scope's department filter only (the register is not limited to the period)."""
    wide = replace(scope, start=date(1, 1, 1), end=date(9999, 12, 31))
    return wide.where(f"{alias}.created_at", f"{alias}.department")


def register(
    con: duckdb.DuckDBPyConnection, scope: Scope, now: datetime, in_period: bool = False
) -> pd.DataFrame:
    """Actions of the scope's departments (all periods; `in_period`: only those open at some time in the
    scope's period — not completed before its start, and registered or completed before its end), newest first.
    Columns: action_id, title, department, status, topic, facility, due_date, completed_on, overdue,
    days_overdue, customer_told, voc_items, cause, direction, schedule, origin, created_at, created_by,
    updated_at, updated_by."""
    where, params = _departments_of(scope)
    period = ""
    if in_period:
        period = " AND (a.completed_on IS NULL OR a.completed_on >= ?) AND (a.created_at < ? OR a.completed_on < ?)"
        params = [*params, scope.start, scope.end, scope.end]
    today = now.date()
    return con.execute(
        f"""SELECT a.action_id, a.title, a.department, a.status, a.topic, a.facility, a.due_date, a.completed_on,
                   a.completed_on IS NULL AND a.due_date < ? AS overdue,
                   CASE WHEN a.completed_on IS NULL AND a.due_date < ? THEN date_diff('day', a.due_date, ?) END
                       AS days_overdue,
                   a.customer_told, coalesce(l.n, 0) AS voc_items, a.cause, a.direction, a.schedule, a.origin,
                   a.created_at, a.created_by, a.updated_at, a.updated_by
            FROM improvement_actions a
            LEFT JOIN (SELECT action_id, count(*) AS n FROM action_voc GROUP BY ALL) l USING (action_id)
            WHERE {where}{period}
            ORDER BY a.action_id DESC""",
        [today, today, today, *params],
    ).df()


def linked_items(
    con: duckdb.DuckDBPyConnection, scope: Scope, action_id: int, with_text: bool = False
) -> pd.DataFrame:
    """The VOC items that triggered an action (if the action is in the scope's departments), newest first."""
    where, params = _departments_of(scope)
    text = ", v.title, v.content" if with_text else ""
    return con.execute(
        f"""SELECT v.voc_id, v.received_at, v.voc_type, v.channel, v.department, v.facility, v.status{text}
            FROM action_voc l JOIN voc v USING (voc_id)
            WHERE l.action_id = ? AND l.action_id IN (SELECT a.action_id FROM improvement_actions a WHERE {where})
            ORDER BY v.received_at DESC, v.voc_id""",
        [action_id, *params],
    ).df()


def status_counts(con: duckdb.DuckDBPyConnection, scope: Scope, now: datetime) -> dict[str, int]:
    """Counts for the page's headline: total, open, overdue, completed."""
    df = register(con, scope, now)
    return {
        "total": len(df),
        "open": int(df["completed_on"].isna().sum()),
        "overdue": int(df["overdue"].fillna(False).sum()),
        "completed": int(df["completed_on"].notna().sum()),
    }


# ---------------------------------------------------------------------------------------------
# effect


def _window_counts(con: duckdb.DuckDBPyConnection, where: str, params: list, rules: Rules) -> pd.DataFrame:
    """Per completed action with a target: n/c/r (items, complaints, recurrences) before and after.

    Items are flagged and counted per facility × topic × day once; each action then sums the days of its
    target inside its windows (at most 2 × window days per action)."""
    w = rules.window_days
    types = list(rules.recurrence_types) or [""]
    ctypes = list(rules.complaint_types) or [""]
    rmarks, cmarks = ", ".join("?" * len(types)), ", ".join("?" * len(ctypes))
    sql = _EFFECT_SQL.replace("{where}", where).replace("{rtypes}", rmarks).replace("{ctypes}", cmarks)
    return con.execute(sql, [*params, *types, *ctypes, rules.recurrence_days, *ctypes, w, w + 1]).df()


_EFFECT_SQL = """WITH acts AS (
                SELECT action_id, topic, facility, completed_on::TIMESTAMP AS c,
                       coalesce(topic, '') || chr(31) || coalesce(facility, '') AS key
                FROM improvement_actions a
                WHERE completed_on IS NOT NULL AND (topic IS NOT NULL OR facility IS NOT NULL) AND {where}),
            keys AS (SELECT DISTINCT topic, facility, key FROM acts),
            tt AS (SELECT voc_id, topic, facility, voc_type, received_at, completed_at,
                          hash(facility, topic) AS cell,
                          voc_type IN ({rtypes}) AND facility IS NOT NULL AND topic <> '기타' AS rec_type
                   FROM voc_topics
                   WHERE topic IN (SELECT topic FROM keys) OR facility IN (SELECT facility FROM keys WHERE topic IS NULL)),
            done AS (SELECT cell, completed_at FROM tt WHERE rec_type AND completed_at IS NOT NULL),
            -- each row with its recurrence flag: the cell's latest handled item before it, within the days
            flagged AS (
                SELECT tt.voc_id, tt.topic, tt.facility, tt.received_at::DATE AS day,
                       tt.voc_type IN ({ctypes}) AS complaint,
                       coalesce(tt.rec_type AND tt.received_at <= done.completed_at + INTERVAL (?) DAY, FALSE) AS is_rec
                FROM tt ASOF LEFT JOIN done ON tt.cell = done.cell AND tt.received_at >= done.completed_at),
            cells AS (SELECT topic, facility, day, count(*) AS n, count(*) FILTER (complaint) AS cm,
                             count(*) FILTER (is_rec) AS r
                      FROM flagged GROUP BY ALL),
            item_rec AS (SELECT voc_id, bool_or(is_rec) AS is_rec FROM flagged
                         WHERE facility IN (SELECT facility FROM keys WHERE topic IS NULL) GROUP BY voc_id),
            daily AS (
                SELECT k.key, c.day, c.n, c.cm, c.r FROM keys k JOIN cells c ON c.topic = k.topic AND c.facility = k.facility
                UNION ALL
                SELECT k.key, c.day, sum(c.n), sum(c.cm), sum(c.r)
                FROM (SELECT * FROM keys WHERE facility IS NULL) k JOIN cells c ON c.topic = k.topic GROUP BY ALL
                UNION ALL
                SELECT k.key, v.received_at::DATE, count(*), count(*) FILTER (v.voc_type IN ({ctypes})),
                       count(*) FILTER (r.is_rec)
                FROM (SELECT * FROM keys WHERE topic IS NULL) k JOIN voc v ON v.facility = k.facility
                LEFT JOIN item_rec r ON r.voc_id = v.voc_id GROUP BY ALL),
            win AS (SELECT action_id, key, (c - INTERVAL (?) DAY)::DATE AS b0, c::DATE AS b1,
                           (c + INTERVAL 1 DAY)::DATE AS a0, (c + INTERVAL (?) DAY)::DATE AS a1 FROM acts)
            SELECT w.action_id,
                   coalesce(sum(d.n) FILTER (d.day < w.b1), 0)::BIGINT AS before_items,
                   coalesce(sum(d.n) FILTER (d.day >= w.a0), 0)::BIGINT AS after_items,
                   coalesce(sum(d.cm) FILTER (d.day < w.b1), 0)::BIGINT AS before_complaints,
                   coalesce(sum(d.cm) FILTER (d.day >= w.a0), 0)::BIGINT AS after_complaints,
                   coalesce(sum(d.r) FILTER (d.day < w.b1), 0)::BIGINT AS before_recurrences,
                   coalesce(sum(d.r) FILTER (d.day >= w.a0), 0)::BIGINT AS after_recurrences
            FROM win w LEFT JOIN daily d ON d.key = w.key AND d.day >= w.b0 AND d.day < w.a1
            GROUP BY w.action_id"""


def rate_test(
    before: np.ndarray, after: np.ndarray, alpha: float = 0.05
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Two Poisson counts over equal time: exact conditional test (after | total ~ Binomial(total, ½)).
    Returns (two-sided p, lower, upper) with the (1 − alpha) Clopper–Pearson interval of the rate ratio
    after ÷ before. Same p as scipy.stats.binomtest(after, before + after, 0.5) (symmetric), vectorised."""
    # imported here: opening a database (ccm.batches imports this module) must not load scipy
    from scipy import stats

    a = np.asarray(after, dtype=float)
    n = a + np.asarray(before, dtype=float)
    with np.errstate(invalid="ignore", divide="ignore"):
        tail = np.minimum(stats.binom.cdf(a, n, 0.5), stats.binom.sf(a - 1, n, 0.5))
        p = np.where(n > 0, np.minimum(1.0, 2 * tail), np.nan)
        lo_p = np.where(a > 0, stats.beta.ppf(alpha / 2, a, n - a + 1), 0.0)
        hi_p = np.where(a < n, stats.beta.ppf(1 - alpha / 2, a + 1, n - a), 1.0)
        lower = np.where(n > 0, lo_p / (1 - lo_p), np.nan)
        upper = np.where((n > 0) & (hi_p < 1), hi_p / (1 - hi_p), np.inf)
    upper = np.where(n > 0, upper, np.nan)
    return p, lower, upper


def effect(con: duckdb.DuckDBPyConnection, scope: Scope, now: datetime, rules: Rules) -> pd.DataFrame:
    """The measured effect of every completed action of the scope's departments.

    Columns: action_id, title, department, status, topic, facility, completed_on, before_start, after_end
    (last day of the after window), before_items, after_items, change (after − before), change_rate,
    p_value, ratio_low, ratio_high, before_complaint_share, after_complaint_share, complaint_share_change,
    before_recurrences, after_recurrences, verdict (개선됨 / 변화 없음 / 악화 / 판단 보류), reason."""
    where, params = _departments_of(scope)
    acts = con.execute(
        f"""SELECT action_id, title, department, status, topic, facility, completed_on FROM improvement_actions a
            WHERE completed_on IS NOT NULL AND {where} ORDER BY completed_on DESC, action_id DESC""",
        params,
    ).df()
    counts = _window_counts(con, where, params, rules)
    df = acts.merge(counts, on="action_id", how="left")
    for c in counts.columns[1:]:
        df[c] = df[c].fillna(0).astype("int64")
    completed = pd.to_datetime(df["completed_on"])
    w = pd.Timedelta(days=rules.window_days)
    df["before_start"] = (completed - w).dt.date
    df["after_end"] = (completed + w).dt.date
    df["completed_on"] = completed.dt.date
    return _judge(df, now, rules)


def _judge(df: pd.DataFrame, now: datetime, rules: Rules) -> pd.DataFrame:
    b, a = df["before_items"].to_numpy(), df["after_items"].to_numpy()
    p, lo, hi = rate_test(b, a, rules.alpha)
    df["change"] = a - b
    with np.errstate(invalid="ignore", divide="ignore"):
        df["change_rate"] = np.where(b > 0, (a - b) / np.where(b > 0, b, 1), np.nan)
        df["before_complaint_share"] = np.where(
            b > 0, df["before_complaints"] / np.where(b > 0, b, 1), np.nan
        )
        df["after_complaint_share"] = np.where(a > 0, df["after_complaints"] / np.where(a > 0, a, 1), np.nan)
    df["complaint_share_change"] = df["after_complaint_share"] - df["before_complaint_share"]
    df["p_value"], df["ratio_low"] = p, lo
    df["ratio_high"] = np.where(np.isinf(hi), np.nan, hi)  # no upper bound when nothing came before
    ended = pd.to_datetime(df["after_end"]) + pd.Timedelta(days=1) <= pd.Timestamp(
        now
    )  # the window's last day is over
    targeted = df["topic"].notna() | df["facility"].notna()
    small = (a + b) < rules.min_items
    significant = p < rules.alpha
    verdict = np.select(
        [~targeted, ~ended, small, significant & (a < b), significant & (a > b)],
        ["판단 보류", "판단 보류", "판단 보류", "개선됨", "악화"],
        "변화 없음",
    )
    reason = [
        _reason(t, e, sm, sg, u, n, pv, rules)
        for t, e, sm, sg, u, n, pv in zip(targeted, ended, small, significant, df["after_end"], a + b, p)
    ]
    df["verdict"], df["reason"] = verdict, pd.Series(reason, index=df.index, dtype="object")
    df["observing"] = targeted & ~ended
    return df


def _reason(
    targeted: bool,
    ended: bool,
    small: bool,
    significant: bool,
    after_end: date,
    total: int,
    p: float,
    rules: Rules,
) -> str:
    if not targeted:
        return "대상 주제·시설이 없어 측정하지 않음"
    if not ended:
        return f"관찰 중: 완료 후 {rules.window_days}일이 {after_end:%Y-%m-%d}에 끝남"
    if small:
        return f"건수 부족: 전후 합계 {total}건 (기준 {rules.min_items}건)"
    if significant:
        return f"건수 차이가 우연으로 보기 어려움 (p {p:.3f})"
    return f"차이가 우연의 범위 안 (p {p:.3f})"


def cco_list(con: duckdb.DuckDBPyConnection, scope: Scope, now: datetime, rules: Rules) -> pd.DataFrame:
    """For the CCO: actions past their due date and not completed, and completed actions whose effect
    could not be shown (after window over: 변화 없음, 악화, or 판단 보류 for too few items / no target).
    Columns: action_id, title, department, status, due_date, completed_on, kind, reason."""
    return cco_from(register(con, scope, now), effect(con, scope, now, rules))


def cco_from(reg: pd.DataFrame, eff: pd.DataFrame) -> pd.DataFrame:
    """cco_list from a register frame and an effect frame already at hand (the page's cached ones)."""
    late = reg[reg["overdue"].fillna(False).astype(bool)]
    late = late.assign(
        kind="기한 초과",
        reason="완료 예정일에서 " + late["days_overdue"].astype("Int64").astype(str) + "일 지남",
    )
    weak = eff[(eff["verdict"] != "개선됨") & ~eff["observing"]]
    weak = weak.merge(reg[["action_id", "due_date"]], on="action_id", how="left")
    weak = weak.assign(kind="효과 미확인", reason=weak["verdict"] + ": " + weak["reason"])
    cols = ["action_id", "title", "department", "status", "due_date", "completed_on", "kind", "reason"]
    return pd.concat([late[cols], weak[cols]], ignore_index=True)


def rollback(con: duckdb.DuckDBPyConnection, batch_id: int) -> dict:
    """Undo an Excel import (load_batches kind 'actions'): remove the actions it registered and their
    VOC links. Refused when the import changed actions that already existed (their earlier values are
    not kept) or when an action it registered was changed since."""
    row = con.execute(
        "SELECT kind, status, rows_updated + rows_unchanged FROM load_batches WHERE batch_id = ?", [batch_id]
    ).fetchone()
    if row is None or row[0] != "actions":
        raise ActionError(f"개선과제 적재 {batch_id}번이 없습니다.")
    if row[1] == "rolled_back":
        raise ActionError(f"적재 {batch_id}번은 이미 되돌렸습니다.")
    if row[2]:
        raise ActionError(
            f"적재 {batch_id}번은 이미 있던 개선과제를 고쳤습니다(이전 값은 남아 있지 않음). 개선과제 화면에서 직접 고치세요."
        )
    changed = con.execute(
        "SELECT count(*) FROM improvement_actions WHERE batch_id = ? AND updated_at > created_at", [batch_id]
    ).fetchone()[0]
    if changed:
        raise ActionError(
            f"적재 {batch_id}번이 만든 개선과제 중 {changed}건이 그 뒤에 바뀌었습니다. 개선과제 화면에서 직접 고치세요."
        )
    with transaction(con):
        con.execute(
            "DELETE FROM action_voc WHERE action_id IN (SELECT action_id FROM improvement_actions WHERE batch_id = ?)",
            [batch_id],
        )
        removed = con.execute(
            "DELETE FROM improvement_actions WHERE batch_id = ? RETURNING action_id", [batch_id]
        ).fetchall()
        con.execute("UPDATE load_batches SET status = 'rolled_back' WHERE batch_id = ?", [batch_id])
    return {"removed": len(removed)}


# ---------------------------------------------------------------------------------------------
# KPI actual and report


def on_time_completion_rate(
    con: duckdb.DuckDBPyConnection, year: int, department: str | None = None, until: date | None = None
) -> tuple[int, int]:
    """(numerator, denominator) of 개선과제 기한 내 완료율: actions due in `year` (due_date in that year,
    and before `until` when given — e.g. the first day after the month under review), and of those the
    ones completed on or before their due date. `department` None = every department."""
    start, end = date(year, 1, 1), date(year + 1, 1, 1)
    if until is not None:
        end = min(end, until)
    sql = (
        "SELECT count(*) FILTER (completed_on <= due_date), count(*) FROM improvement_actions "
        "WHERE due_date >= ? AND due_date < ?"
    )
    params: list = [start, end]
    if department is not None:
        sql += " AND department = ?"
        params.append(department)
    num, den = con.execute(sql, params).fetchone()
    return int(num), int(den)


LABELS = {  # every field's Korean name, for the page and the report
    "action_id": "과제번호",
    "title": "과제명",
    "department": "개선시행 부서",
    "status": "진행 상태",
    "topic": "대상 주제",
    "facility": "대상 시설",
    "due_date": "완료 예정일",
    "completed_on": "완료일",
    "overdue": "기한 초과",
    "days_overdue": "초과 일수",
    "customer_told": "고객 피드백",
    "voc_items": "관련 VOC 건수",
    "cause": "발생원인",
    "direction": "개선방향",
    "schedule": "세부 일정",
    "origin": "만든 곳",
    "created_at": "등록일시",
    "created_by": "등록자",
    "updated_at": "최근 변경",
    "updated_by": "변경자",
    "before_start": "비교 시작일",
    "after_end": "관찰 종료일",
    "before_items": "완료 전 건수",
    "after_items": "완료 후 건수",
    "change": "증감(건)",
    "change_rate": "증감률",
    "p_value": "유의확률",
    "ratio_low": "건수 비 하한",
    "ratio_high": "건수 비 상한",
    "before_complaint_share": "완료 전 불만 비중",
    "after_complaint_share": "완료 후 불만 비중",
    "complaint_share_change": "불만 비중 변화",
    "before_recurrences": "완료 전 재발",
    "after_recurrences": "완료 후 재발",
    "verdict": "효과 판정",
    "reason": "판정 사유",
    "kind": "구분",
    "voc_id": "접수번호",
    "received_at": "접수일시",
    "voc_type": "유형",
    "channel": "채널",
    "title_v": "제목",
    "on_time": "기한 내 완료",
}


REPORT_COLUMNS = {
    k: LABELS[k]
    for k in (
        "action_id",
        "title",
        "department",
        "status",
        "topic",
        "facility",
        "due_date",
        "completed_on",
        "on_time",
        "customer_told",
        "voc_items",
        "before_items",
        "after_items",
        "change_rate",
        "p_value",
        "before_complaint_share",
        "after_complaint_share",
        "before_recurrences",
        "after_recurrences",
        "verdict",
        "reason",
    )
} | {"change_rate": "건수 증감률"}


def report_frame(con: duckdb.DuckDBPyConnection, scope: Scope, now: datetime, settings=None) -> pd.DataFrame:
    """The semiannual workbook's 개선과제 sheet: actions of the scope's departments open at some time in
    the period, with their measured effect (Korean column names, REPORT_COLUMNS; 예/아니오 for flags)."""
    if settings is None:
        from ccm.settings import load_settings

        settings = load_settings()
    rules = rules_from(settings)
    reg = register(con, scope, now, in_period=True)
    eff = effect(con, scope, now, rules)
    keep = [
        "action_id",
        "before_items",
        "after_items",
        "change_rate",
        "p_value",
        "before_complaint_share",
        "after_complaint_share",
        "before_recurrences",
        "after_recurrences",
        "verdict",
        "reason",
    ]
    df = reg.merge(eff[keep], on="action_id", how="left")
    both = df["completed_on"].notna() & df["due_date"].notna()
    on_time = np.where(df["completed_on"] <= df["due_date"], "예", "아니오")
    df["on_time"] = pd.Series(np.where(both, on_time, None), index=df.index, dtype="object")
    df["customer_told"] = df["customer_told"].map({True: "예", False: "아니오"})
    for c in ("before_items", "after_items", "before_recurrences", "after_recurrences"):
        df[c] = df[c].astype("Int64")
    df = df[list(REPORT_COLUMNS)].rename(columns=REPORT_COLUMNS)
    return df.sort_values("과제번호").reset_index(drop=True)
