"""The sections of settings.toml as typed, frozen dataclasses: every default is the field's default here
and nowhere else. `parse(raw)` builds them and lists every problem in Korean ([구역] 키 = 값: 이유).

A value that fails its check keeps its default in the parsed settings; `ccm.settings.load_settings`
refuses a file with any problem, the in-app editor lists them all.
"""

from __future__ import annotations

import json
import re
import types
from collections.abc import Callable
from dataclasses import MISSING, dataclass, field, fields, is_dataclass
from datetime import date, datetime
from decimal import Decimal
from functools import cache
from typing import Any, Union, get_args, get_origin, get_type_hints

Words = tuple[str, ...]
Aliases = dict[str, tuple[str, ...]]  # standard name → other spellings
HHMM = re.compile(r"^([01]\d|2[0-3]):[0-5]\d$")
COUNTING = ("hours", "days")  # SLA counting methods (ccm.sla)
MISSING_MONTHS = ("flag", "zero", "carry", "exclude")  # KPI: a month without a manual actual
# Keys a settings file may hold that the shipped settings.toml leaves out (their defaults apply).
OPTIONAL_KEYS = frozenset({"report", "report.approval_line", "calendar.breaks"})


class _Bad(ValueError):
    def __init__(self, why: str, value: Any, inside: str = ""):
        super().__init__(why)
        self.why, self.value, self.inside = why, value, inside


def rule(check: Callable[[Any], bool], why: str, default: Any = MISSING, **kw: Any) -> Any:
    """A field whose parsed value must pass `check` (else the problem says `why`)."""
    return field(default=default, metadata={"rule": (check, why)}, **kw)


def _positive(v: float) -> bool:
    return v > 0


def _at_least_one(v: int) -> bool:
    return v >= 1


def _not_negative(v: float) -> bool:
    return v >= 0


def _hhmm(v: str) -> bool:
    return bool(HHMM.match(v))


# ---- sections -------------------------------------------------------------------------------------
@dataclass(frozen=True)
class DatabaseSettings:
    path: str = rule(lambda v: bool(v.strip()), "비어 있지 않은 경로여야 합니다", "data/ccm.duckdb")
    secret_key_file: str = ""  # empty: the database's name with .key
    pool_idle_seconds: float = rule(_not_negative, "0 이상의 초여야 합니다", 1.5)


@dataclass(frozen=True)
class OrganisationSettings:
    name: str = ""
    ccm_department: str = ""
    departments: Words = ()
    department_aliases: dict[str, str] = field(default_factory=dict)
    facilities: dict[str, str] = field(default_factory=dict)  # facility → responsible department
    facility_aliases: dict[str, str] = field(default_factory=dict)

    def problems(self) -> list[str]:
        depts = self.departments
        if not depts or not all(d.strip() for d in depts):
            return ["departments 는 부서 이름(글자)의 목록이어야 하고 비어 있으면 안 됩니다."]
        errors = []
        dupes = sorted({d for d in depts if depts.count(d) > 1})
        if dupes:
            errors.append(f"departments 에 같은 부서가 두 번 있습니다: {', '.join(dupes)}")
        if self.ccm_department and self.ccm_department not in depts:
            errors.append(f'ccm_department = "{self.ccm_department}": departments 에 없는 부서입니다.')
        for table in ("facilities", "department_aliases"):
            errors += [
                f"{table} 의 '{key}' → '{dept}': departments 에 없는 부서입니다."
                for key, dept in getattr(self, table).items()
                if dept not in depts
            ]
        return errors


DATED_KEYS = ("date", "name", "source")  # an entry of extra_closures / working_days as written


@dataclass(frozen=True)
class DatedEntry:
    """A closure day or a working day set by the administrator, with its source (규정·결재 문서)."""

    day: date
    name: str = ""
    source: str = ""


@dataclass(frozen=True)
class CalendarSettings:
    country: str = "KR"  # holidays package country code
    categories: Words = ("public",)
    work_start: str = rule(_hhmm, "'HH:MM' 형식(예: \"09:00\")이어야 합니다", "09:00")
    work_end: str = rule(_hhmm, "'HH:MM' 형식(예: \"18:00\")이어야 합니다", "18:00")
    break_start: str = rule(
        lambda v: v == "" or _hhmm(v), "비우거나(휴게 없음) 'HH:MM' 형식이어야 합니다", "12:00"
    )
    break_end: str = rule(
        lambda v: v == "" or _hhmm(v), "비우거나(휴게 없음) 'HH:MM' 형식이어야 합니다", "13:00"
    )
    extra_closures: tuple[DatedEntry, ...] = field(
        default=(), metadata={"parse": lambda v: _dated(v, "관리자 지정 휴무일"), "keys": DATED_KEYS}
    )
    working_days: tuple[DatedEntry, ...] = field(
        default=(), metadata={"parse": lambda v: _dated(v, "근무일 지정"), "keys": DATED_KEYS}
    )
    breaks: tuple[tuple[str, str], ...] = ()  # further breaks ("HH:MM", "HH:MM"); optional

    def problems(self) -> list[str]:
        ws, we = self.work_start, self.work_end
        bs, be = (self.break_start, self.break_end) if self.break_start and self.break_end else (ws, ws)
        if not (ws <= bs <= be <= we and ws < we):
            return ["시각 순서는 work_start ≤ break_start ≤ break_end ≤ work_end 여야 합니다."]
        return []


@dataclass(frozen=True)
class VocLoadSettings:
    rejects_suffix: str = "_오류"  # rejected rows file: <source name><suffix>.csv
    date_only_completion: str = rule(lambda v: v == "" or _hhmm(v), "비우거나 'HH:MM' 형식이어야 합니다", "")


@dataclass(frozen=True)
class VocSettings:
    types: Aliases = field(default_factory=dict)
    channels: Aliases = field(default_factory=dict)
    statuses: Aliases = field(default_factory=dict)
    columns: Aliases = field(default_factory=dict)  # standard field → export headers
    load: VocLoadSettings = field(default_factory=VocLoadSettings)

    def problems(self) -> list[str]:
        return [] if self.types else ["[voc.types] 에 VOC 유형이 하나 이상 있어야 합니다."]


@dataclass(frozen=True)
class SlaRule:
    """One effective-dated deadline table ([[sla.rules]])."""

    effective_from: date
    days: dict[str, int]
    counting: dict[str, str]  # type → "hours" | "days" (absent: "hours")
    source: str = ""


@dataclass(frozen=True)
class SlaSettings:
    at_risk_share: float = rule(lambda v: 0 < v < 1, "0과 1 사이의 수여야 합니다", 0.25)
    rules: tuple[SlaRule, ...] = field(default=(), metadata={"parse": lambda v: _sla_rules(v)})


@dataclass(frozen=True)
class PrivacySettings:
    drop_columns: Words = ()
    hash_columns: Words = ()
    not_names: Words = ()


@dataclass(frozen=True)
class ComponentSettings:
    label: str = ""
    definition: str = ""
    unit: str = ""
    count_label: str = "건수"
    weight: float = rule(_not_negative, "0 이상의 수여야 합니다", 0.0)
    min_count: int = rule(_not_negative, "0 이상의 정수여야 합니다", 0)
    lo: float = 0.0
    hi: float = 1.0

    def problems(self) -> list[str]:
        return [f"lo 와 hi 가 같습니다({self.lo:g}): 점수를 매길 수 없습니다."] if self.lo == self.hi else []


@dataclass(frozen=True)
class AwardSettings:
    department: str = "우수부서"
    facility: str = "CS 우수사업장"
    top_departments: int = rule(_at_least_one, "1 이상의 정수여야 합니다", 1)
    facility_min_n: int = rule(_not_negative, "0 이상의 정수여야 합니다", 30)


@dataclass(frozen=True)
class RankingSettings:
    tie_break: Words = ("compliance", "pcsi")
    decimals: int = rule(_not_negative, "0 이상의 정수여야 합니다", 2)
    complaint_types: Words = ("불만", "고충")
    praise_type: str = "칭찬"
    awards: AwardSettings = field(default_factory=AwardSettings)
    components: dict[str, ComponentSettings] = field(default_factory=dict)


@dataclass(frozen=True)
class KpiStatusSettings:
    achieved: float = rule(_positive, "0보다 큰 수여야 합니다", 1.0)
    warning: float = rule(_positive, "0보다 큰 수여야 합니다", 0.9)

    def problems(self) -> list[str]:
        return (
            []
            if self.warning <= self.achieved
            else [f"warning({self.warning:g}) ≤ achieved({self.achieved:g}) 여야 합니다."]
        )


@dataclass(frozen=True)
class KpiSettings:
    cap: float = rule(lambda v: v >= 1, "1 이상의 수(1.2 = 120%)여야 합니다", 1.2)
    org_unit: str = "전사"
    precision: float = rule(
        lambda v: v > 0 and Decimal(repr(float(v))).normalize() in {Decimal(1).scaleb(-e) for e in range(4)},
        "1, 0.1, 0.01, 0.001 중 하나(%p)여야 합니다",
        0.1,
    )
    missing_months: str = rule(
        lambda v: v in MISSING_MONTHS,
        " · ".join(f'"{m}"' for m in MISSING_MONTHS) + " 중 하나여야 합니다",
        "flag",
    )
    non_negative_units: Words = ()
    status: KpiStatusSettings = field(default_factory=KpiStatusSettings)
    sources: dict[str, str] = field(default_factory=dict)
    direction_aliases: Aliases = field(default_factory=dict)
    aggregation_aliases: Aliases = field(default_factory=dict)


@dataclass(frozen=True)
class TextSettings:
    min_length: int = rule(_at_least_one, "1 이상의 정수여야 합니다", 2)
    workers: int = rule(_not_negative, "0 이상의 정수여야 합니다(0 = 자동)", 0)
    user_words: Words = ()
    stop_words: Words = ()
    english_stop_words: Words = ()
    boilerplate_share: float = rule(lambda v: 0 < v <= 1, "0보다 크고 1 이하인 수여야 합니다", 0.3)
    boilerplate_min_texts: int = rule(_at_least_one, "1 이상의 정수여야 합니다", 20)
    boilerplate: Words = ()
    boilerplate_keep: Words = ()
    candidate_min_items: int = rule(_at_least_one, "1 이상의 정수여야 합니다", 3)
    topics: Aliases = field(default_factory=dict)

    def problems(self) -> list[str]:
        return (
            ["[text.topics] 에 이름이 빈 주제가 있습니다."] if any(not t.strip() for t in self.topics) else []
        )


@dataclass(frozen=True)
class SpikeSettings:
    history_months: int = rule(_at_least_one, "1 이상의 정수여야 합니다", 12)
    min_history: int = rule(_at_least_one, "1 이상의 정수여야 합니다", 6)
    z: float = rule(_not_negative, "0 이상의 수여야 합니다", 2.0)
    min_excess: float = rule(_not_negative, "0 이상의 수여야 합니다", 3)


@dataclass(frozen=True)
class TrendSettings:
    rising_min_items: int = rule(_at_least_one, "1 이상의 정수여야 합니다", 5)
    recurrence_days: int = rule(_at_least_one, "1 이상의 정수여야 합니다", 90)
    recurrence_types: Words = ("불만", "고충", "긴급요청", "건의")
    faq_type: str = "문의"
    severity: dict[str, float] = field(default_factory=dict)  # type → weight (0 = left out)
    spikes: SpikeSettings = field(default_factory=SpikeSettings)


@dataclass(frozen=True)
class PeerAverage:
    """[pcsi.peer_average]: a label, its source and year → peer-group score."""

    label: str = "비교 집단"
    source: str = ""
    by_year: dict[int, float] = field(default_factory=dict)


@dataclass(frozen=True)
class PcsiSettings:
    target: float = rule(_positive, "0보다 큰 점수여야 합니다", 90.0)
    overall_area: str = "전반적만족"
    min_n: int = rule(_at_least_one, "1 이상의 정수여야 합니다", 30)
    missing_codes: tuple[int | float | str, ...] = (98, 99, "모름", "무응답")
    max_invalid_share: float = rule(lambda v: 0 <= v <= 1, "0과 1 사이의 수여야 합니다", 0.05)
    corporate_survey: str = "PCSI"
    area_weights: dict[str, float] = field(default_factory=dict)
    peer_average: PeerAverage = field(
        default_factory=PeerAverage, metadata={"parse": lambda v: _peer_average(v)}
    )
    columns: Aliases = field(default_factory=dict)


@dataclass(frozen=True)
class AuthSettings:
    idle_timeout_minutes: int = rule(_at_least_one, "1 이상의 정수여야 합니다", 60)
    max_session_hours: int = rule(_at_least_one, "1 이상의 정수여야 합니다", 12)
    max_failures: int = rule(_at_least_one, "1 이상의 정수여야 합니다", 5)
    lockout_minutes: int = rule(_at_least_one, "1 이상의 정수여야 합니다", 15)
    min_password_length: int = rule(_at_least_one, "1 이상의 정수여야 합니다", 10)
    item_text_columns: Words = ()  # column names whose download is audited item by item


@dataclass(frozen=True)
class MeetingSettings:
    topic_days: int = rule(_at_least_one, "1 이상의 정수여야 합니다", 90)


_POSITIVE = "0보다 큰 수여야 합니다"


@dataclass(frozen=True)
class LimitSettings:
    file_mb: float = rule(_positive, _POSITIVE, 300)
    rows: int = rule(_positive, _POSITIVE, 2_000_000)
    columns: int = rule(_positive, _POSITIVE, 500)
    cells: int = rule(_positive, _POSITIVE, 20_000_000)
    unzipped_mb: float = rule(_positive, _POSITIVE, 1024)
    zip_ratio: float = rule(_positive, _POSITIVE, 200)
    memory_mb: float = rule(_positive, _POSITIVE, 4096)
    seconds: float = rule(_positive, _POSITIVE, 300)


@dataclass(frozen=True)
class PhoneItem:
    """One item of the phone-courtesy checklist ([[phone.items]]); ccm.phone checks names and maxima."""

    name: str = ""
    max: float = 25.0
    aliases: Words = ()


@dataclass(frozen=True)
class PhoneSettings:
    min_n: int = 5  # checked by ccm.phone.validate_settings
    evaluator_types: Words = ("내부", "교차기관", "외부기관")
    items: tuple[PhoneItem, ...] = (
        PhoneItem("인사"),
        PhoneItem("응대"),
        PhoneItem("정확성"),
        PhoneItem("종결"),
    )


@dataclass(frozen=True)
class TrainingRule:
    """A role's yearly training requirement ([[training.rules]])."""

    role: str = ""
    ccm_courses: int = rule(_not_negative, "0 이상의 정수여야 합니다", 0)
    ccm_hours: float = rule(_not_negative, "0 이상의 수여야 합니다", 0.0)
    hours: float = rule(_not_negative, "0 이상의 수여야 합니다", 0.0)
    source: str = ""


@dataclass(frozen=True)
class TrainingMembers:
    """Role rosters by employee number (사번)."""

    cco: tuple[str | int, ...] = ()
    ccm_staff: tuple[str | int, ...] = ()
    ccm_leaders: tuple[str | int, ...] = ()


@dataclass(frozen=True)
class CertificationSettings:
    hours: float = rule(_not_negative, "0 이상의 수여야 합니다", 10.0)
    window_days: int = rule(_at_least_one, "1 이상의 정수여야 합니다", 365)
    roles: Words = ("CCM 담당자",)
    application_date: str | date = rule(
        lambda v: v == "" or as_date(v) is not None, "비우거나 날짜(YYYY-MM-DD)여야 합니다", ""
    )
    source: str = ""


@dataclass(frozen=True)
class SatisfactionSettings:
    surveys: Words = ("교육만족도",)
    name_suffixes: Words = ("만족도", "설문", "조사")


@dataclass(frozen=True)
class TrainingSettings:
    ccm_keywords: Words = ("CCM",)
    series: Words = ()
    grades: Words = ()
    courses: Words = ()
    rules: tuple[TrainingRule, ...] = ()
    members: TrainingMembers = field(default_factory=TrainingMembers)
    certification: CertificationSettings = field(default_factory=CertificationSettings)
    satisfaction: SatisfactionSettings = field(default_factory=SatisfactionSettings)


@dataclass(frozen=True)
class ActionSettings:
    statuses: Words = ("발굴", "계획", "시행", "완료", "효과 확인")
    effect_window_days: int = rule(_at_least_one, "1 이상의 정수여야 합니다", 90)
    min_items: int = rule(_not_negative, "0 이상의 정수여야 합니다", 10)
    alpha: float = rule(lambda v: 0 < v < 1, "0과 1 사이의 수여야 합니다", 0.05)
    due_days: int = rule(_at_least_one, "1 이상의 정수여야 합니다", 60)


@dataclass(frozen=True)
class ReportSettings:
    approval_line: Words = (
        "담당",
        "팀장",
        "CCO",
        "이사장",
    )  # 결재란 (manual §3.1.1); optional in settings.toml


SECTIONS: dict[str, type] = {
    "database": DatabaseSettings,
    "organisation": OrganisationSettings,
    "calendar": CalendarSettings,
    "voc": VocSettings,
    "sla": SlaSettings,
    "privacy": PrivacySettings,
    "ranking": RankingSettings,
    "kpi": KpiSettings,
    "text": TextSettings,
    "trends": TrendSettings,
    "pcsi": PcsiSettings,
    "auth": AuthSettings,
    "meeting": MeetingSettings,
    "limits": LimitSettings,
    "report": ReportSettings,
    "phone": PhoneSettings,
    "training": TrainingSettings,
    "actions": ActionSettings,
}


def parse(raw: dict[str, Any]) -> tuple[dict[str, Any], list[str]]:
    """Every section of `raw` typed (absent sections: their defaults), and every problem (Korean)."""
    problems: list[str] = []
    out = {}
    for name, cls in SECTIONS.items():
        table = raw.get(name, {})
        if not isinstance(table, dict):
            problems.append(f"[{name}] 는 구역(표)이어야 합니다: {shown(table)}")
            table = {}
        out[name] = build(cls, table, name, problems)
    return out, problems + dated_override_errors(raw) + rule_table_errors(raw)


def build(cls: type, table: dict[str, Any], where: str, problems: list[str]) -> Any:
    """`cls` from a TOML table; a value that fails keeps its default and adds a problem."""
    hints = _hints(cls)
    values = {}
    for f in fields(cls):
        if f.name not in table:
            continue
        value = table[f.name]
        try:
            parser = f.metadata.get("parse")
            got = parser(value) if parser else convert(value, hints[f.name], f"{where}.{f.name}", problems)
            check, why = f.metadata.get("rule", (None, ""))
            if check is not None and not check(got):
                raise _Bad(why, value)
            values[f.name] = got
        except _Bad as bad:
            problems.append(f"[{where}] {f.name}{bad.inside} = {shown(bad.value)}: {bad.why}.")
    obj = cls(**values)
    own = getattr(obj, "problems", None)
    problems += [p if p.startswith("[") else f"[{where}] {p}" for p in (own() if own else [])]
    return obj


@cache
def _hints(cls: type) -> dict[str, Any]:
    return get_type_hints(cls)


def convert(value: Any, tp: Any, where: str, problems: list[str]) -> Any:
    """`value` as type `tp` (str, int, float, bool, date, tuple[X, ...], dict[str, X], a section, X | Y)."""
    origin, args = get_origin(tp), get_args(tp)
    if is_dataclass(tp):
        if not isinstance(value, dict):
            raise _Bad("표(이름 = 값)여야 합니다", value)
        return build(tp, value, where, problems)
    if origin in (Union, types.UnionType):
        for arg in args:
            try:
                return convert(value, arg, where, problems)
            except _Bad:
                continue
        raise _Bad("수 또는 글자여야 합니다", value)
    if origin is tuple:
        if not isinstance(value, (list, tuple)):
            raise _Bad(_why(tp), value)
        item = args[0] if args[-1] is Ellipsis else None
        if item is str and all(type(v) is str for v in value):  # the common case, fast: word lists
            return tuple(value)
        return tuple(
            _each(v, item or args[i], where, problems, f"의 {i + 1}번째 값") for i, v in enumerate(value)
        )
    if origin is dict:
        if not isinstance(value, dict):
            raise _Bad(_why(tp), value)
        return {str(k): _each(v, args[1], f"{where}.{k}", problems, f"의 '{k}'") for k, v in value.items()}
    return _scalar(value, tp)


def _each(value: Any, tp: Any, where: str, problems: list[str], inside: str) -> Any:
    try:
        return convert(value, tp, where, problems)
    except _Bad as bad:
        raise _Bad(bad.why, bad.value, f" {inside}") from None


def _scalar(value: Any, tp: Any) -> Any:
    if tp is bool:
        ok = isinstance(value, bool)
    elif tp is int:
        ok = isinstance(value, int) and not isinstance(value, bool)
    elif tp is float:
        ok = isinstance(value, (int, float)) and not isinstance(value, bool)
        value = float(value) if ok else value
    elif tp is date:
        got = as_date(value)
        ok, value = got is not None, got if got is not None else value
    else:
        ok = isinstance(value, tp)
    if not ok:
        raise _Bad(_why(tp), value)
    return value


def _why(tp: Any) -> str:
    if get_origin(tp) is tuple:
        return "글자(따옴표로 감싼 말)의 목록이어야 합니다" if get_args(tp)[0] is str else "목록이어야 합니다"
    if get_origin(tp) is dict:
        return "표(이름 = 값)여야 합니다"
    return {
        str: "글자(따옴표로 감싼 말)여야 합니다",
        int: "정수여야 합니다",
        float: "수여야 합니다",
        bool: "true 또는 false 여야 합니다",
        date: "날짜(YYYY-MM-DD)여야 합니다",
    }.get(tp, "형식이 맞지 않습니다")


def _dated(value: Any, default_name: str) -> tuple[DatedEntry, ...]:
    """[{date, name, source}] (or plain dates); a missing source is reported by dated_override_errors."""
    if not isinstance(value, list):
        raise _Bad('{ date = "YYYY-MM-DD", name = "…", source = "근거" } 의 목록이어야 합니다', value)
    out = []
    for i, entry in enumerate(value, start=1):
        day = as_date(entry.get("date") if isinstance(entry, dict) else entry)
        if day is None:
            raise _Bad(
                '{ date = "YYYY-MM-DD", name = "…", source = "근거" } 형식이어야 합니다',
                entry,
                f" 의 {i}번째 항목",
            )
        name, source = (entry.get("name"), entry.get("source")) if isinstance(entry, dict) else (None, None)
        out.append(DatedEntry(day, str(name or default_name), str(source or "")))
    return tuple(out)


def _sla_rules(value: Any) -> tuple[SlaRule, ...]:
    """The usable tables of [[sla.rules]]; rule_table_errors reports the rest."""
    rules = []
    for r in value if isinstance(value, list) else []:
        start = as_date(r.get("effective_from")) if isinstance(r, dict) else None
        if start is None or not isinstance(r.get("days"), dict):
            continue
        counting = r.get("counting") if isinstance(r.get("counting"), dict) else {}
        rules.append(
            SlaRule(
                start,
                dict(r["days"]),
                {str(k): str(v) for k, v in counting.items()},
                str(r.get("source") or ""),
            )
        )
    return tuple(sorted(rules, key=lambda r: r.effective_from))


def _peer_average(value: Any) -> PeerAverage:
    if not isinstance(value, dict):
        raise _Bad('표(label, source, "연도" = 점수)여야 합니다', value)
    years = {}
    for k, v in value.items():
        if k in ("label", "source"):
            continue
        if not str(k).isdigit() or isinstance(v, bool) or not isinstance(v, (int, float)):
            raise _Bad('"연도" = 점수 여야 합니다', v, f" 의 '{k}'")
        years[int(k)] = float(v)
    return PeerAverage(str(value.get("label", PeerAverage.label)), str(value.get("source", "")), years)


# ---- checks on the raw file shared with the editor ------------------------------------------------
def as_date(value: Any) -> date | None:
    """A TOML date or a 'YYYY-MM-DD' string; None for anything else (a TOML datetime is not a day)."""
    if isinstance(value, datetime):
        return None
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(str(value))
    except ValueError:
        return None


def shown(value: Any) -> str:
    """A value as it is written in settings.toml (true, 1.5, "weeks"), not as Python prints it."""
    try:
        return json.dumps(value, ensure_ascii=False, default=str)
    except (TypeError, ValueError):
        return str(value)


def unread_keys(raw: dict[str, Any]) -> list[str]:
    """Dotted keys of `raw` that no section field reads (a misspelt or retired key)."""
    out = []
    for name, table in raw.items():
        if name not in SECTIONS:
            out.append(name)
        elif isinstance(table, dict):
            out += _unread(SECTIONS[name], table, name)
    return out


def _unread(cls: type, table: dict[str, Any], where: str) -> list[str]:
    hints, names = _hints(cls), {f.name for f in fields(cls)}
    written = {f.name: f.metadata["keys"] for f in fields(cls) if "keys" in f.metadata}  # parsed by hand
    if cls is PeerAverage:
        return [f"{where}.{k}" for k in table if k not in ("label", "source") and not str(k).isdigit()]
    out = []
    for k, v in table.items():
        if k not in names:
            out.append(f"{where}.{k}")
            continue
        tp = hints[k]
        if k in written:
            out += [
                f"{where}.{k}.{key}"
                for sub in v
                if isinstance(sub, dict)
                for key in sub
                if key not in written[k]
            ]
        elif is_dataclass(tp) and isinstance(v, dict):
            out += _unread(tp, v, f"{where}.{k}")
        elif get_origin(tp) is dict and is_dataclass(get_args(tp)[1]) and isinstance(v, dict):
            out += [
                x
                for key, sub in v.items()
                if isinstance(sub, dict)
                for x in _unread(get_args(tp)[1], sub, f"{where}.{k}.{key}")
            ]
        elif get_origin(tp) is tuple and is_dataclass(get_args(tp)[0]) and isinstance(v, list):
            out += [
                x for sub in v if isinstance(sub, dict) for x in _unread(get_args(tp)[0], sub, f"{where}.{k}")
            ]
    return out


def declared_keys(cls: type | None = None, where: str = "") -> list[str]:
    """Every dotted key the sections read (for the check against the shipped file)."""
    if cls is None:
        return [k for name, c in SECTIONS.items() for k in [name, *declared_keys(c, name)]]
    out = []
    for f in fields(cls):
        key, tp = f"{where}.{f.name}", _hints(cls)[f.name]
        out.append(key)
        if is_dataclass(tp) and tp is not PeerAverage:
            out += declared_keys(tp, key)
    return out


def rule_table_errors(raw: Any) -> list[str]:
    """Every problem of the effective-dated tables [[sla.rules]] (Korean; empty = usable).

    The one check of the tables: the settings loader, the in-app editor and `ccm.sla.recompute` all run
    it, and `ccm.sla.compute` refuses a table it rejects. A table needs a date no other table has, and a
    whole number of business days ≥ 1 with a counting method for exactly the types of [voc.types].
    `raw`: the TOML tables (or a Settings, whose tables are checked)."""
    raw = getattr(raw, "raw", raw)
    sla, voc = _table(raw, "sla"), _table(raw, "voc")
    types = list(voc.get("types") or {}) if isinstance(voc.get("types"), dict) else []
    rules = sla.get("rules")
    if not isinstance(rules, list) or not rules:
        return ["[sla] 처리기한 표([[sla.rules]])가 하나 이상 있어야 합니다."]
    errors: list[str] = []
    seen: dict[Any, int] = {}
    for i, r in enumerate(rules, start=1):
        where = f"[[sla.rules]] {i}번째 표"
        if not isinstance(r, dict):
            errors.append(f"{where}: 표(effective_from·days·counting)가 아닙니다: {shown(r)}")
            continue
        start = as_date(r.get("effective_from"))
        if start is None:
            errors.append(
                f"{where}: 시행일 effective_from 은 날짜(YYYY-MM-DD)여야 합니다: {shown(r.get('effective_from'))}"
            )
        elif start in seen:
            errors.append(
                f"{where}: 시행일 {start}이(가) {seen[start]}번째 표와 같습니다 — 한 시행일에는 표 하나만 둡니다."
            )
        else:
            seen[start] = i
        errors += _days_errors(where, r.get("days"), types) + _counting_errors(
            where, r.get("counting"), types
        )
    return errors


def _table(raw: Any, name: str) -> dict:
    value = raw.get(name) if isinstance(raw, dict) else None
    return value if isinstance(value, dict) else {}


def _days_errors(where: str, days: Any, types: list[str]) -> list[str]:
    if not isinstance(days, dict) or not days:
        return [f"{where}: 유형별 처리기한 days 표가 없습니다."]
    errors = [
        f"{where}: 유형 '{t}'의 처리기한(days)이 없습니다 — 새 표에도 모든 유형을 적으세요."
        for t in types
        if t not in days
    ]
    for t, n in days.items():
        if types and t not in types:
            errors.append(f"{where}: days 의 '{t}'는 [voc.types]에 없는 유형입니다.")
        if isinstance(n, bool) or not isinstance(n, int) or n < 1:
            errors.append(f"{where}: '{t}' 처리기한 {shown(n)}: 1 이상의 정수(업무일 수)여야 합니다.")
    return errors


def _counting_errors(where: str, counting: Any, types: list[str]) -> list[str]:
    if counting is None:
        return []
    if not isinstance(counting, dict):
        return [f'{where}: counting 은 유형 → "hours"/"days" 표여야 합니다: {shown(counting)}']
    errors = []
    for t, c in counting.items():
        if types and t not in types:
            errors.append(f"{where}: counting 의 '{t}'는 [voc.types]에 없는 유형입니다.")
        if c not in COUNTING:
            errors.append(f'{where}: \'{t}\' 계산 방식 {shown(c)}: "hours" 또는 "days"여야 합니다.')
    return errors


def dated_override_errors(raw: dict[str, Any]) -> list[str]:
    """Every dated entry (closure day, working day, SLA table, yearly peer average) without a `source`."""
    cal = _table(raw, "calendar")
    errors = []
    for key, label in (("extra_closures", "휴무일"), ("working_days", "근무일")):
        for entry in cal.get(key) or []:
            if not _has_source(entry):
                what = (
                    f"{entry.get('date')} {entry.get('name', '')}".strip()
                    if isinstance(entry, dict)
                    else str(entry)
                )
                errors.append(
                    f"[calendar] {key} 의 {label} '{what}' 에 근거(source)가 없습니다: "
                    f'{{ date = "…", name = "…", source = "근거 문서·결재" }} 로 적으세요.'
                )
    rules = _table(raw, "sla").get("rules")
    for i, r in enumerate(rules if isinstance(rules, list) else [], start=1):
        if not _has_source(r):
            errors.append(
                f"[[sla.rules]] {i}번째 표(시행일 {r.get('effective_from') if isinstance(r, dict) else '?'})"
                " 에 근거(source)가 없습니다."
            )
    peer = _table(raw, "pcsi").get("peer_average")
    if isinstance(peer, dict) and any(str(k).isdigit() for k in peer) and not _has_source(peer):
        errors.append("[pcsi.peer_average] 연도별 비교 집단 평균에 근거(source)가 없습니다.")
    return errors


def _has_source(entry: Any) -> bool:
    return isinstance(entry, dict) and isinstance(entry.get("source"), str) and bool(entry["source"].strip())
