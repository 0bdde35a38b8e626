"""SLA engine: per-type processing deadlines (effective-dated rules), compliance, overdue / at-risk.

All figures are working time on the business calendar (ccm.calendar): work_minutes = B(completed) −
B(received); an item meets its deadline when B(completed) ≤ B(due_at), i.e. when the working time it
used is within the working time it was allowed. Two counting methods, per type in settings:
- "hours" (the manual, §4.2.1-3): N business days = N × 8 working hours from the clock start;
- "days" (민원처리법 제19조, periods of 6 days or more): the clock-start day is day 1 (an item received
  after hours starts the next business day), due at the end of work on the N-th business day.
"""

from __future__ import annotations

from typing import Any

import duckdb
import numpy as np
import pandas as pd

from ccm.calendar import BusinessCalendar, from_seconds, to_seconds
from ccm.db import transaction
from ccm.period import now as period_now
from ccm.settings import Settings, rule_table_errors, typed  # noqa: F401 (rule_table_errors: the one check, used via ccm.sla too)

HOURS, DAYS = "hours", "days"
COUNTING_LABEL = {HOURS: "시간 기준", DAYS: "일 기준(접수일 산입)"}
COLUMNS = ["clock_start", "due_at", "deadline_minutes", "work_minutes", "sla_met", "sla_rule"]


# ---- rules ------------------------------------------------------------------------------------------
class RuleTableError(ValueError):
    """The [sla] rule tables cannot be used; `errors` lists every problem (Korean)."""

    def __init__(self, errors: list[str]):
        self.errors = list(errors)
        super().__init__("처리기한 표를 쓸 수 없습니다:\n" + "\n".join(f"- {e}" for e in self.errors))


def _rules(settings: Settings | dict) -> list[dict]:
    """settings.sla.rules sorted by effective date; RuleTableError when rule_table_errors finds anything."""
    errors = settings.sla_rule_errors
    if errors:
        raise RuleTableError(errors)
    return [
        {
            "effective_from": pd.Timestamp(r.effective_from),
            "days": dict(r.days),
            "counting": dict(r.counting),
            "source": r.source,
        }
        for r in settings.sla.rules
    ]


def rule_label(effective_from: pd.Timestamp, days: int, counting: str, day_hours: float) -> str:
    """e.g. "2000-01-01~ · 2업무일 · 시간 기준(16시간)"."""
    head = f"{effective_from:%Y-%m-%d}~ · {days}업무일 · "
    if counting == DAYS:
        return head + f"일 기준(접수일 포함 {days}일째 업무종료)"
    return head + f"시간 기준({days * day_hours:g}시간)"


def rules_table(settings: Settings | dict) -> pd.DataFrame:
    """Every rule of every table, for display: effective_from, voc_type, days, hours, counting, rule, source."""
    settings = typed(settings)
    cal = BusinessCalendar.from_settings(settings)
    day_hours = cal.day_seconds / 3600
    rows = []
    for rule in _rules(settings):
        for voc_type, days in rule["days"].items():
            counting = rule["counting"].get(voc_type, HOURS)
            rows.append(
                {
                    "effective_from": rule["effective_from"].date(),
                    "voc_type": voc_type,
                    "days": days,
                    "hours": days * day_hours,
                    "counting": counting,
                    "counting_label": COUNTING_LABEL[counting],
                    "rule": rule_label(rule["effective_from"], days, counting, day_hours),
                    "source": rule["source"],
                }
            )
    return pd.DataFrame(
        rows,
        columns=[
            "effective_from",
            "voc_type",
            "days",
            "hours",
            "counting",
            "counting_label",
            "rule",
            "source",
        ],
    )


def _resolve(
    received: np.ndarray, nat: np.ndarray, voc_type: pd.Series, settings: Settings | dict, day_hours: float
) -> tuple[np.ndarray, np.ndarray, np.ndarray, list[str]]:
    """Per item: days (0 = no rule), counting is "days" (bool), index into the returned rule labels
    (-1 = no rule). Loops run over rules × distinct types only; items are handled as arrays."""
    rules = _rules(settings)
    starts = np.array([r["effective_from"].value // 10**9 for r in rules], dtype=np.int64)
    which = np.searchsorted(starts, received, side="right") - 1
    which[nat] = -1
    codes, kinds = pd.factorize(voc_type, use_na_sentinel=True)
    codes = np.asarray(codes)
    n_days = np.zeros(len(received), dtype=np.int64)
    by_days = np.zeros(len(received), dtype=bool)
    label_idx = np.full(len(received), -1, dtype=np.int64)
    labels: list[str] = []
    for i, rule in enumerate(rules):
        mask = (which == i) & (codes >= 0)
        counting = [rule["counting"].get(k, HOURS) for k in kinds]
        kind_days = np.array([rule["days"].get(k, 0) for k in kinds], dtype=np.int64)
        kind_label = np.full(len(kinds), -1, dtype=np.int64)
        for j, (d, c) in enumerate(zip(kind_days, counting)):
            if d:
                kind_label[j] = len(labels)
                labels.append(rule_label(rule["effective_from"], int(d), c, day_hours))
        n_days[mask] = kind_days[codes[mask]]
        by_days[mask] = np.array([c == DAYS for c in counting], dtype=bool)[codes[mask]]
        label_idx[mask] = kind_label[codes[mask]]
    return n_days, by_days, label_idx, labels


# ---- compute ----------------------------------------------------------------------------------------
def compute(
    received_at: pd.Series, completed_at: pd.Series, voc_type: pd.Series, settings: Settings | dict
) -> pd.DataFrame:
    """clock_start, due_at, deadline_minutes, work_minutes, sla_met, sla_rule for every item (same index).

    Open items (completed_at NaT): work_minutes and sla_met NA. Unknown type / no rule in force: no
    deadline (due_at NaT, deadline_minutes NA, sla_met NA, sla_rule NA). A received_at outside the
    calendar (before 1950, from 2100 on) gets no figures at all, a completed_at outside it is treated as
    missing; the loader is expected to reject such rows with a message.
    """
    settings = typed(settings)
    cal = BusinessCalendar.from_settings(settings)
    rec, rec_nat = to_seconds(received_at)
    done, open_ = to_seconds(completed_at)
    rec_nat |= ~cal.in_range(rec)  # a date the calendar cannot place (e.g. a typo'd year): no SLA figures
    open_ |= rec_nat | ~cal.in_range(done)
    rec, done = np.where(rec_nat, 0, rec), np.where(open_, rec, done)
    start = cal.clock_start_int(rec)
    b_start = cal.business_seconds_int(start)
    n_days, by_days, label_idx, labels = _resolve(rec, rec_nat, voc_type, settings, cal.day_seconds / 3600)
    ruled = (n_days > 0) & ~rec_nat
    n_safe = np.where(ruled, n_days, 1)
    due = np.where(
        by_days,
        cal.day_end_after(start, n_safe),
        cal.add_business_seconds_int(start, n_safe * cal.day_seconds),
    )
    b_due = cal.business_seconds_int(due)
    b_done = cal.business_seconds_int(np.where(open_, start, done))  # (open rows are masked below)
    work_s = b_done - b_start
    out = pd.DataFrame(index=received_at.index)
    out["clock_start"] = from_seconds(start, rec_nat)
    out["due_at"] = from_seconds(due, ~ruled)
    out["deadline_minutes"] = pd.arrays.IntegerArray((b_due - b_start) // 60, ~ruled)
    out["work_minutes"] = pd.arrays.IntegerArray(-(-work_s // 60), open_)  # ceil: 480 min 30 s → 481
    out["sla_met"] = pd.arrays.BooleanArray(b_done <= b_due, open_ | ~ruled)
    out["sla_rule"] = pd.array(labels, dtype="string").take(np.where(ruled, label_idx, -1), allow_fill=True)
    return out


def open_status(
    due_at: pd.Series,
    clock_start: pd.Series,
    deadline_minutes: pd.Series,
    now: Any,
    settings: Settings | dict,
) -> pd.DataFrame:
    """For open items as of `now`: remaining_minutes (working minutes to due; negative when overdue),
    overdue (working time used beyond the deadline), at_risk (not overdue, remaining < at_risk_share ×
    deadline). Items without a deadline get NA."""
    settings = typed(settings)
    cal = BusinessCalendar.from_settings(settings)
    due, no_due = to_seconds(due_at)
    now_s, _ = to_seconds(pd.Timestamp(now))
    remaining_s = cal.business_seconds_int(due) - cal.business_seconds_int(np.full(len(due), now_s[0]))
    deadline = pd.array(deadline_minutes, dtype="Int64")
    no_due |= np.asarray(deadline.isna())
    share = settings.sla.at_risk_share
    limit = np.where(no_due, 0, deadline.fillna(0).to_numpy(dtype=np.int64)) * 60 * share
    out = pd.DataFrame(index=due_at.index)
    out["remaining_minutes"] = pd.array(remaining_s // 60, dtype="Int64")
    out["overdue"] = pd.array(remaining_s < 0, dtype="boolean")
    out["at_risk"] = pd.array((remaining_s >= 0) & (remaining_s < limit), dtype="boolean")
    out.loc[no_due, ["remaining_minutes", "overdue", "at_risk"]] = pd.NA
    return out


# ---- store ------------------------------------------------------------------------------------------
def recompute(con: duckdb.DuckDBPyConnection, settings: Settings | dict, *, by: str | None = None) -> int:
    """Recompute the SLA columns of every voc_items row (after the calendar or rules changed), in one
    transaction, and audit what changed (ccm.audit, action sla_recompute: per type the old → new rule
    with its effective date and deadline, and the items affected). Refuses (RuleTableError) a rule table
    that rule_table_errors rejects before reading a row. Returns the number of rows."""
    settings = typed(settings)
    from ccm.audit import record

    errors = settings.sla_rule_errors
    if errors:
        raise RuleTableError(errors)
    items = con.execute(
        "SELECT voc_id, received_at, completed_at, voc_type, due_at AS old_due, "
        "sla_rule AS old_rule, sla_met AS old_met FROM voc_items"
    ).df()
    sla = compute(items["received_at"], items["completed_at"], items["voc_type"], settings)
    sla.insert(0, "voc_id", items["voc_id"])
    detail = change_summary(items, sla)
    con.register("_sla_new", sla)
    try:
        with transaction(con):
            con.execute("""
                UPDATE voc_items AS v SET clock_start = n.clock_start, due_at = n.due_at,
                       deadline_minutes = n.deadline_minutes, work_minutes = n.work_minutes,
                       sla_met = n.sla_met, sla_rule = n.sla_rule
                FROM _sla_new AS n WHERE v.voc_id = n.voc_id""")
            record(con, by, "sla_recompute", detail)
    finally:
        con.unregister("_sla_new")
    return len(sla)


def changes(old: pd.DataFrame, new: pd.DataFrame) -> pd.DataFrame:
    """What a recompute changes, grouped by voc_type, old_rule, new_rule: items (any stored SLA value
    changed), moved (due_at changed), verdicts (sla_met changed). `old`: voc_type, old_due, old_rule,
    old_met; `new`: compute()'s columns, same order."""
    moved = _differs(old["old_due"], new["due_at"])
    verdict = _differs(old["old_met"], new["sla_met"])
    relabelled = _differs(old["old_rule"], new["sla_rule"])
    df = pd.DataFrame(
        {
            "voc_type": old["voc_type"].astype("string").fillna("(유형 없음)").to_numpy(),
            "old_rule": old["old_rule"].astype("string").fillna("기한 없음").to_numpy(),
            "new_rule": new["sla_rule"].astype("string").fillna("기한 없음").to_numpy(),
            "moved": moved,
            "verdicts": verdict,
        }
    )[moved | verdict | relabelled]
    out = df.groupby(["voc_type", "old_rule", "new_rule"], as_index=False).agg(
        items=("moved", "size"), moved=("moved", "sum"), verdicts=("verdicts", "sum")
    )
    return out.sort_values(["voc_type", "items"], ascending=[True, False], ignore_index=True)


def _differs(a: pd.Series, b: pd.Series) -> pd.Series:
    a, b = a.reset_index(drop=True), b.reset_index(drop=True)
    na_a, na_b = a.isna().to_numpy(), b.isna().to_numpy()
    equal = pd.Series(a == b).fillna(False).to_numpy(dtype=bool)
    return pd.Series((na_a != na_b) | (~na_a & ~na_b & ~equal))


def change_summary(old: pd.DataFrame, new: pd.DataFrame) -> str:
    """The audit line of a recompute: how many items, and per type old → new rule (effective date,
    business days, working hours) with the items changed, the deadlines moved and the verdicts changed."""
    c = changes(old, new)
    head = f"처리기한 재계산: VOC {len(old):,}건"
    if c.empty:
        return head + " — 바뀐 처리기한 없음"
    parts = []
    for r in c.itertuples():
        rule = (
            f"{r.old_rule} → {r.new_rule}" if r.old_rule != r.new_rule else f"{r.old_rule} 그대로(달력 변경)"
        )
        notes = [
            f"기한 이동 {r.moved:,}건" if r.moved < r.items else "",
            f"준수 판정 바뀜 {r.verdicts:,}건" if r.verdicts else "",
        ]
        note = ", ".join(n for n in notes if n)
        parts.append(f"{r.voc_type}: {rule} {r.items:,}건" + (f"({note})" if note else ""))
    return head + f" 중 {int(c['items'].sum()):,}건 변경 — " + "; ".join(parts)


# ---- explain one item -------------------------------------------------------------------------------
STATUS_LABEL = {
    "met": "기한 내 처리",
    "breached": "기한 초과 처리",
    "overdue": "미처리 · 기한 경과",
    "at_risk": "미처리 · 기한 임박",
    "open": "미처리 · 기한 내",
    "no_rule": "처리기한 없음",
}


def _fmt_ts(ts: Any) -> str:
    t = pd.Timestamp(ts)
    return f"{t:%Y-%m-%d} ({'월화수목금토일'[t.weekday()]}) {t:%H:%M}"


def _minutes(m: int) -> str:
    h, mm = divmod(int(abs(m)), 60)
    text = f"{h}시간 {mm}분" if h and mm else (f"{h}시간" if h else f"{mm}분")
    return ("-" if m < 0 else "") + text


def _why_moved(cal: BusinessCalendar, received: pd.Timestamp, start: pd.Timestamp) -> list[str]:
    """Why the clock start is later than the receipt: the non-working stretches in between."""
    if start <= received:
        return []
    reasons = []
    day = received.normalize()
    tod = received.hour * 3600 + received.minute * 60 + received.second
    if cal.is_business_day(day.date()):
        if tod < cal.work_start:
            reasons.append("업무시작 전 접수")
        elif tod >= cal.work_end:
            reasons.append("업무시간 외(업무종료 후) 접수")
        elif start.normalize() == day:
            reasons.append("휴게시간 중 접수")
    for d in pd.date_range(day, start.normalize() - pd.Timedelta(days=1)):
        if cal.is_business_day(d.date()):
            continue
        names = [name for _, name, _ in cal.holidays_between(d, d)]
        if names:
            reasons.append(f"{d:%m-%d} {', '.join(names)}")
        else:
            reasons.append(f"{d:%m-%d} 주말({'월화수목금토일'[d.weekday()]})")
    return reasons


def explain(
    received_at: Any, completed_at: Any, voc_type: str, settings: Settings | dict, now: Any = None
) -> dict:
    """Everything about one item's deadline, with Korean sentences ready to show."""
    settings = typed(settings)
    cal = BusinessCalendar.from_settings(settings)
    received = pd.Timestamp(received_at)
    completed = pd.Timestamp(completed_at) if completed_at is not None and not pd.isna(completed_at) else None
    row = compute(
        pd.Series([received]), pd.Series([completed], dtype="datetime64[us]"), pd.Series([voc_type]), settings
    ).iloc[0]
    start, due = pd.Timestamp(row["clock_start"]), row["due_at"]
    info: dict[str, Any] = {
        "received_at": received,
        "completed_at": completed,
        "voc_type": voc_type,
        "clock_start": start,
        "clock_moved": _why_moved(cal, received, start),
        "due_at": None if pd.isna(due) else pd.Timestamp(due),
        "deadline_minutes": None if pd.isna(row["deadline_minutes"]) else int(row["deadline_minutes"]),
        "rule": None if pd.isna(row["sla_rule"]) else str(row["sla_rule"]),
        "holidays": [],
        "work_minutes": None,
        "remaining_minutes": None,
        "status": "no_rule",
    }
    sentences = [f"접수: {_fmt_ts(received)}"]
    if info["clock_moved"]:
        sentences.append(f"처리기한 계산 시작: {_fmt_ts(start)} — {', '.join(info['clock_moved'])}")
    else:
        sentences.append(f"처리기한 계산 시작: {_fmt_ts(start)} (업무시간 중 접수)")
    rule = _rule_for(received, voc_type, settings)
    if info["due_at"] is None or rule is None:
        sentences.append(f"'{voc_type}' 유형에는 {received:%Y-%m-%d}에 시행 중인 처리기한이 없습니다.")
        return {**info, "sentences": sentences, "status_label": STATUS_LABEL["no_rule"]}
    counting = rule["counting"].get(voc_type, HOURS)
    info.update(
        effective_from=rule["effective_from"].date(),
        counting=counting,
        counting_label=COUNTING_LABEL[counting],
        rule_source=rule["source"],
        days=rule["days"][voc_type],
    )
    info["holidays"] = cal.holidays_between(start, info["due_at"])
    sentences.append(
        f"적용 기준: {info['rule']} (시행일 {info['effective_from']:%Y-%m-%d}, {rule['source']})"
    )
    if counting == DAYS:
        sentences.append(
            f"접수일({start:%m-%d})을 1일째로 세어 {info['days']}업무일째 업무종료 시각까지입니다."
        )
    sentences.append(f"처리기한: {_fmt_ts(info['due_at'])} (근무시간 {_minutes(info['deadline_minutes'])})")
    if info["holidays"]:
        names = ", ".join(
            f"{d:%m-%d} {n}" + (" (관리자 지정)" if src != "공휴일" else "") for d, n, src in info["holidays"]
        )
        sentences.append(f"기한 계산에서 제외한 휴일: {names}")
    if completed is not None:
        info["work_minutes"] = int(row["work_minutes"])
        info["status"] = "met" if bool(row["sla_met"]) else "breached"
        sentences.append(f"처리완료: {_fmt_ts(completed)} — 근무시간 {_minutes(info['work_minutes'])} 사용")
    else:
        at = pd.Timestamp(now if now is not None else period_now()).floor("s")
        status = open_status(
            pd.Series([info["due_at"]]),
            pd.Series([start]),
            pd.Series([info["deadline_minutes"]]),
            at,
            settings,
        ).iloc[0]
        info["remaining_minutes"] = int(status["remaining_minutes"])
        used = cal.business_seconds(pd.Series([at]))[0] - cal.business_seconds(pd.Series([start]))[0]
        info["work_minutes_so_far"] = max(int(used // 60), 0)
        info["status"] = "overdue" if status["overdue"] else ("at_risk" if status["at_risk"] else "open")
        remaining = info["remaining_minutes"]
        sentences.append(
            f"{_fmt_ts(at)} 현재 미처리 — 근무시간 {_minutes(info['work_minutes_so_far'])} 경과, "
            + (
                f"기한을 근무시간 {_minutes(-remaining)} 넘겼습니다."
                if remaining < 0
                else f"남은 근무시간 {_minutes(remaining)}"
            )
        )
    info["status_label"] = STATUS_LABEL[info["status"]]
    sentences.append(f"판정: {info['status_label']}")
    return {**info, "sentences": sentences}


def _rule_for(received: pd.Timestamp, voc_type: str, settings: Settings | dict) -> dict | None:
    in_force = [r for r in _rules(settings) if r["effective_from"] <= received]
    return in_force[-1] if in_force and voc_type in in_force[-1]["days"] else None
