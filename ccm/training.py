"""Training records (교육이수 실적, manual §3.3.1-7): per-person hours, the required-hours rules per role
(CCO §3.3.1-5, CCM 담당자 §5.1.3-2, CCM 리더, all staff, certification), course satisfaction (§3.3.1-8).

Pure Python. Rules come from settings [training] (`rules_from`); which course counts as CCM training
is decided when queried (the file's 'CCM 교육 여부' flag, else the course-name keywords), so a changed
keyword list applies to records already loaded. Names (성명) are kept in clear only in the per-person
record the manual asks for; `people(..., names=False)` leaves them out for roles that may not see them.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from datetime import date, datetime, timedelta

import duckdb
import pandas as pd

from ccm.db import transaction
from ccm.settings_sections import TrainingSettings

# Tables: training_records, training_records_replaced (ccm/schema.py TRAINING_TABLES).

ROLES = ("CCO", "CCM 담당자", "CCM 리더", "일반")  # priority order when a person has more than one
ROLE_ALIASES = {
    "CCO": ["최고고객책임자", "고객책임자"],
    "CCM 담당자": ["CCM담당", "CCM 담당", "CCM실무자", "CS담당자"],
    "CCM 리더": ["CCM리더", "CS리더", "CS 리더", "친절리더"],
    "일반": ["직원", "전직원", "해당없음", "없음"],
}
NOT_REQUIRED = "대상 아님"


@dataclass(frozen=True)
class RoleRule:
    role: str
    ccm_courses: int = 0  # CCM courses to complete in the year
    ccm_hours: float = 0.0  # hours of CCM training in the year
    hours: float = 0.0  # hours of any training in the year
    source: str = ""

    @property
    def required(self) -> bool:
        return bool(self.ccm_courses or self.ccm_hours or self.hours)

    def text(self) -> str:
        parts = (
            ([f"CCM 교육 {self.ccm_courses}회 이상"] if self.ccm_courses else [])
            + ([f"CCM 교육 {self.ccm_hours:g}시간 이상"] if self.ccm_hours else [])
            + ([f"교육 {self.hours:g}시간 이상"] if self.hours else [])
        )
        return ", ".join(parts) or NOT_REQUIRED


@dataclass(frozen=True)
class Rules:
    rules: tuple[RoleRule, ...]
    keywords: tuple[str, ...]  # course-name keywords that make a course CCM training
    role_members: tuple[tuple[str, str], ...]  # (사번, role) from settings: overrides the file's 역할
    cert_hours: float = 10.0
    cert_days: int = 365
    cert_roles: tuple[str, ...] = ("CCM 담당자",)
    cert_source: str = ""
    survey_names: tuple[str, ...] = ("교육만족도",)  # surveys whose 고객유형 group is the course
    survey_suffixes: tuple[str, ...] = ("만족도", "설문", "조사")

    def rule(self, role: str) -> RoleRule:
        return next((r for r in self.rules if r.role == role), RoleRule(role))


def rules_from(settings) -> Rules:
    cfg = settings.training if settings is not None else TrainingSettings()
    rules = tuple(RoleRule(r.role, r.ccm_courses, r.ccm_hours, r.hours, r.source) for r in cfg.rules)
    members = tuple(
        (str(e), role)
        for role, key in zip(ROLES, ("cco", "ccm_staff", "ccm_leaders"))
        for e in getattr(cfg.members, key)
    )
    cert, sat = cfg.certification, cfg.satisfaction
    return Rules(
        rules,
        cfg.ccm_keywords,
        members,
        cert.hours,
        cert.window_days,
        cert.roles,
        cert.source,
        sat.surveys,
        sat.name_suffixes,
    )


def default_rules() -> Rules:
    from ccm.settings import load_settings

    return rules_from(load_settings())


def norm(text: object) -> str:
    """Compared by meaning: width-folded, lower-case, no spaces or punctuation."""
    return re.sub(r"[\s\W_]+", "", unicodedata.normalize("NFKC", str(text)).lower())


def role_of(value: object) -> str | None:
    """'CS리더' → 'CCM 리더'; None for a value that is no role."""
    key = norm(value)
    for role in ROLES:
        if key in {norm(role), *(norm(a) for a in ROLE_ALIASES.get(role, []))}:
            return role
    return None


def is_ccm_course(course: pd.Series, flag: pd.Series, keywords: tuple[str, ...]) -> pd.Series:
    """The file's flag where given, else whether the course name holds a keyword (compared by meaning)."""
    keys = [norm(k) for k in keywords if norm(k)]
    by_name = course.map(lambda c: any(k in norm(c) for k in keys)).astype(bool)
    return flag.astype("boolean").fillna(by_name).astype(bool)


# ---------------------------------------------------------------------------------------------
# records and people

RECORD_COLUMNS = [
    "emp_no",
    "name",
    "department",
    "series",
    "grade",
    "role",
    "institution",
    "course",
    "start_date",
    "end_date",
    "hours",
    "refund",
    "ccm_flag",
    "evidence",
]


def records(
    con: duckdb.DuckDBPyConnection, start: date, end: date, rules: Rules | None = None
) -> pd.DataFrame:
    """Records whose start date is in [start, end), with `is_ccm`."""
    rules = rules or default_rules()
    df = con.execute(
        f"SELECT {', '.join(RECORD_COLUMNS)} FROM training_records WHERE start_date >= ? "
        "AND start_date < ? ORDER BY start_date, emp_no, course",
        [start, end],
    ).df()
    df["is_ccm"] = (
        is_ccm_course(df["course"], df["ccm_flag"], rules.keywords) if len(df) else pd.Series(dtype=bool)
    )
    return df


def _year(y: int) -> tuple[date, date]:
    return date(y, 1, 1), date(y + 1, 1, 1)


PEOPLE_COLUMNS = [
    "emp_no",
    "name",
    "department",
    "role",
    "courses",
    "hours",
    "ccm_courses",
    "ccm_hours",
    "requirement",
    "required",
    "meets",
]


def people(
    con: duckdb.DuckDBPyConnection,
    year: int,
    departments: tuple[str, ...] | None = None,
    rules: Rules | None = None,
    *,
    names: bool = True,
    until: date | None = None,
) -> pd.DataFrame:
    """One row per person of the year: hours, CCM courses and hours, the role's rule and whether it is met.

    The people of a year: everyone with a record in that year or the year before (a person trained last
    year and not this year counts with 0 hours) and everyone named in settings [training.members].
    Department and role: the latest record's (settings members override the role). `until` cuts the
    year's records at that day (a report for the first half). `names=False` leaves the name out."""
    rules = rules or default_rules()
    start, end = _year(year)
    end = min(end, until) if until else end
    cur = records(con, start, end, rules)
    prev = con.execute(
        "SELECT emp_no, name, department, role, start_date FROM training_records "
        "WHERE start_date >= ? AND start_date < ?",
        [date(year - 1, 1, 1), start],
    ).df()
    known = pd.concat([prev, cur[["emp_no", "name", "department", "role", "start_date"]]], ignore_index=True)
    listed = pd.DataFrame(rules.role_members, columns=["emp_no", "listed_role"])
    everyone = pd.Index(known["emp_no"]).union(pd.Index(listed["emp_no"])).unique()
    if not len(everyone):
        return pd.DataFrame(columns=PEOPLE_COLUMNS if names else [c for c in PEOPLE_COLUMNS if c != "name"])
    latest = (
        known.sort_values("start_date", kind="stable")
        .groupby("emp_no")
        .agg(
            name=("name", "last"),
            department=("department", "last"),
            role=("role", lambda s: s.dropna().iloc[-1] if s.notna().any() else None),
        )
    )
    agg = cur.groupby("emp_no").agg(courses=("course", "size"), hours=("hours", "sum"))
    ccm = cur[cur["is_ccm"]].groupby("emp_no").agg(ccm_courses=("course", "size"), ccm_hours=("hours", "sum"))
    out = pd.DataFrame(index=pd.Index(everyone, name="emp_no")).join(latest).join(agg).join(ccm)
    listed_role = listed.drop_duplicates("emp_no").set_index("emp_no")["listed_role"]
    out["role"] = listed_role.reindex(out.index).fillna(out["role"]).fillna("일반")
    for c in ("courses", "ccm_courses"):
        out[c] = out[c].fillna(0).astype("int64")
    for c in ("hours", "ccm_hours"):
        out[c] = out[c].fillna(0.0).astype("float64")
    rule = out["role"].map(rules.rule)
    out["requirement"] = rule.map(RoleRule.text)
    out["required"] = rule.map(lambda r: r.required).astype(bool)
    out["meets"] = [_meets(r, row) for r, row in zip(rule, out.itertuples())]
    out = out.reset_index()
    if departments is not None:
        out = out[out["department"].isin(departments)]
    out = out.sort_values(["department", "emp_no"], kind="stable", na_position="last").reset_index(drop=True)
    return out[PEOPLE_COLUMNS] if names else out[[c for c in PEOPLE_COLUMNS if c != "name"]]


def _meets(rule: RoleRule, row) -> bool | None:
    if not rule.required:
        return None
    return bool(
        row.ccm_courses >= rule.ccm_courses and row.ccm_hours >= rule.ccm_hours and row.hours >= rule.hours
    )


def shortfall(rule: RoleRule, courses: int, ccm_courses: int, hours: float, ccm_hours: float) -> str:
    """What is missing, in words: 'CCM 교육 1회, 2.0시간 부족'."""
    parts = []
    if ccm_courses < rule.ccm_courses:
        parts.append(f"CCM 교육 {rule.ccm_courses - ccm_courses}회")
    if ccm_hours < rule.ccm_hours:
        parts.append(f"CCM 교육 {rule.ccm_hours - ccm_hours:.1f}시간")
    if hours < rule.hours:
        parts.append(f"교육 {rule.hours - hours:.1f}시간")
    return ", ".join(parts) + " 부족" if parts else ""


# ---------------------------------------------------------------------------------------------
# KPI actuals (item 5) — wired into the KPI automatic actuals by ccm.kpi


def training_completion(
    con: duckdb.DuckDBPyConnection,
    year: int,
    department: str | None = None,
    rules: Rules | None = None,
    *,
    until: date | None = None,
) -> tuple[int, int]:
    """(people meeting their role's required training, people with a requirement) in `year`
    for one department or the whole organisation; `until` counts only records before that day (year to
    date). Completion rate = numerator ÷ denominator."""
    p = people(con, year, (department,) if department else None, rules, names=False, until=until)
    req = p[p["required"]]
    return int(req["meets"].astype(bool).sum()), int(len(req))


def training_hours(
    con: duckdb.DuckDBPyConnection,
    year: int,
    department: str | None = None,
    rules: Rules | None = None,
    *,
    ccm_only: bool = True,
) -> float:
    """Hours of training started in `year` (CCM courses only unless `ccm_only=False`), for one department
    (the department written on each record) or all."""
    start, end = _year(year)
    r = records(con, start, end, rules)
    if department:
        r = r[r["department"] == department]
    if ccm_only:
        r = r[r["is_ccm"]]
    return float(r["hours"].sum())


# ---------------------------------------------------------------------------------------------
# tables for the page and the report (Korean columns)


def person_table(
    con,
    year: int,
    departments: tuple[str, ...] | None = None,
    rules: Rules | None = None,
    *,
    names: bool = False,
) -> pd.DataFrame:
    rules = rules or default_rules()
    p = people(con, year, departments, rules, names=True)
    short = [
        shortfall(rules.rule(r.role), r.courses, r.ccm_courses, r.hours, r.ccm_hours) for r in p.itertuples()
    ]
    out = pd.DataFrame(
        {
            "사번": p["emp_no"],
            "성명": p["name"],
            "부서": p["department"],
            "역할": p["role"],
            "이수 과정 수": p["courses"],
            "교육시간": p["hours"],
            "CCM 교육 횟수": p["ccm_courses"],
            "CCM 교육시간": p["ccm_hours"],
            "요건": p["requirement"],
            "충족": p["meets"].map(lambda m: NOT_REQUIRED if m is None else ("충족" if m else "미달")),
            "부족분": short,
        }
    )
    out.attrs["kinds"] = {"교육시간": "hours", "CCM 교육시간": "hours"}
    return out if names else out.drop(columns=["성명"])


def below_table(
    con,
    year: int,
    departments: tuple[str, ...] | None = None,
    rules: Rules | None = None,
    *,
    names: bool = False,
) -> pd.DataFrame:
    t = person_table(con, year, departments, rules, names=names)
    out = t[t["충족"] == "미달"].reset_index(drop=True)
    out.attrs["kinds"] = t.attrs["kinds"]
    return out


def department_table(
    con,
    year: int,
    departments: tuple[str, ...] | None = None,
    rules: Rules | None = None,
    *,
    until: date | None = None,
) -> pd.DataFrame:
    """Per department: people, people required, meeting, completion rate, hours, CCM hours, hours per person."""
    rules = rules or default_rules()
    p = people(con, year, departments, rules, names=False, until=until)
    p = p.assign(department=p["department"].fillna("(부서 미상)"))
    rows = []
    for dept, g in [*p.groupby("department", sort=True), ("전체", p)] if len(p) else []:
        req = g[g["required"]]
        met = int(req["meets"].astype(bool).sum())
        rows.append(
            {
                "부서": dept,
                "인원": len(g),
                "요건 대상": len(req),
                "요건 충족": met,
                "이수율": met / len(req) if len(req) else None,
                "미달": len(req) - met,
                "교육시간 합계": float(g["hours"].sum()),
                "CCM 교육시간 합계": float(g["ccm_hours"].sum()),
                "1인당 교육시간": float(g["hours"].mean()) if len(g) else None,
            }
        )
    out = pd.DataFrame(
        rows,
        columns=[
            "부서",
            "인원",
            "요건 대상",
            "요건 충족",
            "이수율",
            "미달",
            "교육시간 합계",
            "CCM 교육시간 합계",
            "1인당 교육시간",
        ],
    )
    out.attrs["kinds"] = {
        "이수율": "pct",
        "교육시간 합계": "hours",
        "CCM 교육시간 합계": "hours",
        "1인당 교육시간": "hours",
    }
    return out


def course_table(
    con, year: int, departments: tuple[str, ...] | None = None, rules: Rules | None = None
) -> pd.DataFrame:
    """Per course: institution, CCM or not, people, hours, employment-insurance refunds, satisfaction score."""
    rules = rules or default_rules()
    r = records(con, *_year(year), rules)
    if departments is not None:
        r = r[r["department"].isin(departments)]
    cols = [
        "과정명",
        "교육기관",
        "CCM 교육",
        "인원",
        "교육시간 합계",
        "고용보험 환급 인원",
        "만족도 점수",
        "만족도 응답자",
        "만족도 출처",
    ]
    if r.empty:
        return pd.DataFrame(columns=cols)
    g = r.groupby("course", sort=True).agg(
        institution=("institution", lambda s: ", ".join(sorted(set(s.dropna())))),
        is_ccm=("is_ccm", "max"),
        people=("emp_no", "nunique"),
        hours=("hours", "sum"),
        refund=("refund", lambda s: int(s.eq(True).sum())),
    )
    sat = satisfaction(con, year, tuple(g.index), rules)
    out = pd.DataFrame(
        {
            "과정명": g.index,
            "교육기관": g["institution"].replace("", None).values,
            "CCM 교육": g["is_ccm"].astype(bool).values,
            "인원": g["people"].values,
            "교육시간 합계": g["hours"].astype(float).values,
            "고용보험 환급 인원": g["refund"].values,
        }
    )
    out = out.merge(sat, how="left", left_on="과정명", right_on="course").drop(columns=["course"])
    out = out.rename(columns={"score": "만족도 점수", "n": "만족도 응답자", "source": "만족도 출처"})[cols]
    out.attrs["kinds"] = {"교육시간 합계": "hours", "만족도 점수": "score", "CCM 교육": "bool"}
    return out


def satisfaction(con, year: int, courses: tuple[str, ...], rules: Rules | None = None) -> pd.DataFrame:
    """Satisfaction score (100 points) per course of `year`, from the loaded surveys (ccm.pcsi):
    1) a survey of that year whose name, without a trailing '만족도'/'설문'/'조사' (settings), is the course
       name (compared by meaning) → that survey's overall index;
    2) else, in the surveys named in settings [training.satisfaction] surveys, the respondents whose
       고객유형 (the 교육과정 column of the training survey spec) is the course name → their group score.
    Columns: course, score, n, source."""
    from ccm import pcsi

    rules = rules or default_rules()
    cols = ["course", "score", "n", "source"]
    stored = [s for s in pcsi.surveys(con) if year in pcsi.years(con, s)]
    if not courses or not stored:
        return pd.DataFrame(columns=cols)
    by_name = {_survey_key(s, rules.survey_suffixes): s for s in stored}
    groups = {}
    for s in (s for s in stored if s in rules.survey_names):
        for g in pcsi.group_scores(con, year, s, by="customer_type").itertuples():
            groups.setdefault(norm(g.group), (g.score, int(g.n), f"{s} 설문 · 교육과정 '{g.group}' 응답자"))
    rows = []
    for c in courses:
        s = by_name.get(norm(c))
        if s is not None:
            n = len(pcsi.respondents(con, year, s))
            rows.append((c, pcsi.overall_index(con, year, s), n, f"{s} 설문 종합지수"))
        elif norm(c) in groups:
            rows.append((c, *groups[norm(c)]))
    return pd.DataFrame(rows, columns=cols).astype({"score": "float64"})


def _survey_key(survey: str, suffixes: tuple[str, ...]) -> str:
    key = norm(survey)
    for suffix in sorted((norm(s) for s in suffixes), key=len, reverse=True):
        if suffix and key.endswith(suffix) and len(key) > len(suffix):
            return key[: -len(suffix)]
    return key


def certification(con, application: date, rules: Rules | None = None, *, names: bool = False) -> pd.DataFrame:
    """People of the certification roles: CCM hours in the year before `application`
    ([application − window_days, application)) against the required hours."""
    rules = rules or default_rules()
    start = application - timedelta(days=rules.cert_days)
    r = records(con, start, application, rules)
    p = pd.concat(
        [
            people(con, application.year - 1, None, rules, names=True),
            people(con, application.year, None, rules, names=True),
        ]
    ).drop_duplicates("emp_no", keep="last")
    p = p[p["role"].isin(rules.cert_roles)]
    hours = r[r["is_ccm"]].groupby("emp_no")["hours"].sum()
    got = p["emp_no"].map(hours).fillna(0.0).astype(float)
    out = pd.DataFrame(
        {
            "사번": p["emp_no"].values,
            "성명": p["name"].values,
            "부서": p["department"].values,
            "역할": p["role"].values,
            "CCM 교육시간(신청 전 1년)": got.values,
            "기준 시간": rules.cert_hours,
            "충족": (got >= rules.cert_hours).values,
        }
    )
    out.attrs["kinds"] = {"CCM 교육시간(신청 전 1년)": "hours", "기준 시간": "hours", "충족": "bool"}
    return out if names else out.drop(columns=["성명"])


def report_frame(con, scope, now: datetime) -> pd.DataFrame:
    """Training completion per department for the semiannual workbook: records from 1 January of the
    scope's year up to the scope's end (or `now`, if earlier), judged against the annual rules."""
    until = min(scope.end, (now.date() if isinstance(now, datetime) else now) + timedelta(days=1))
    depts = tuple(scope.departments) if getattr(scope, "departments", None) else None
    out = department_table(con, scope.start.year, depts, until=until)
    out.insert(0, "기간", f"{scope.start.year}년 1월 1일 ~ {(until - timedelta(days=1)).isoformat()}")
    return out


def years(con) -> list[int]:
    return [
        r[0]
        for r in con.execute(
            "SELECT DISTINCT year(start_date) AS y FROM training_records ORDER BY y DESC"
        ).fetchall()
    ]


def course_names(con) -> list[str]:
    return [
        r[0] for r in con.execute("SELECT DISTINCT course FROM training_records ORDER BY course").fetchall()
    ]


def has_data(con) -> bool:
    return bool(con.execute("SELECT EXISTS (SELECT 1 FROM training_records)").fetchone()[0])


# ---------------------------------------------------------------------------------------------
# rollback (ccm.batches.rollback_batch dispatches kind 'training' here)


def rollback(con: duckdb.DuckDBPyConnection, batch_id: int) -> dict:
    """Undo one training batch exactly: remove the versions it wrote, restore those it replaced.
    Only the latest loaded training batch can be undone (a later one may have replaced its rows)."""
    row = con.execute("SELECT kind, status FROM load_batches WHERE batch_id = ?", [batch_id]).fetchone()
    if row is None or row[0] != "training":
        raise ValueError(f"교육 실적 적재 이력이 아닙니다: {batch_id}")
    if row[1] != "loaded":
        raise ValueError(f"이미 되돌린 적재입니다: {batch_id}")
    later = con.execute(
        "SELECT min(batch_id) FROM load_batches WHERE kind = 'training' AND status = 'loaded' "
        "AND batch_id > ?",
        [batch_id],
    ).fetchone()[0]
    if later is not None:
        raise ValueError(f"나중에 적재된 교육 실적 파일(적재 번호 {later})을 먼저 되돌려야 합니다.")
    with transaction(con):
        removed = con.execute("DELETE FROM training_records WHERE batch_id = ?", [batch_id]).fetchone()[0]
        restored = con.execute(
            "INSERT INTO training_records SELECT * EXCLUDE (replaced_by_batch) "
            "FROM training_records_replaced WHERE replaced_by_batch = ?",
            [batch_id],
        ).fetchone()[0]
        con.execute("DELETE FROM training_records_replaced WHERE replaced_by_batch = ?", [batch_id])
        con.execute("UPDATE load_batches SET status = 'rolled_back' WHERE batch_id = ?", [batch_id])
    return {"removed": int(removed), "restored": int(restored)}


def validate_settings(raw: dict) -> list[str]:
    """Problems in [training] (Korean), for the in-app settings editor (ccm.settings_edit)."""
    cfg = raw.get("training")
    if cfg is None:
        return []
    if not isinstance(cfg, dict):
        return ["[training] 은 표여야 합니다."]
    errors = []
    for i, r in enumerate(cfg.get("rules", []) or [], start=1):
        if not isinstance(r, dict) or r.get("role") not in ROLES:
            errors.append(
                f"[[training.rules]] {i}번째 규칙의 role 은 {' / '.join(ROLES)} 중 하나여야 합니다."
            )
            continue
        for key in ("ccm_courses", "ccm_hours", "hours"):
            v = r.get(key, 0)
            if isinstance(v, bool) or not isinstance(v, (int, float)) or v < 0:
                errors.append(f"[[training.rules]] {r['role']} 규칙의 {key} 는 0 이상의 숫자여야 합니다.")
    if not all(isinstance(k, str) and k.strip() for k in cfg.get("ccm_keywords", ["CCM"])):
        errors.append("[training] ccm_keywords 는 비어 있지 않은 글자 목록이어야 합니다.")
    for key, value in (cfg.get("members") or {}).items():
        if not isinstance(value, list):
            errors.append(f'[training.members] {key} 는 사번 목록이어야 합니다(예: ["A1001"]).')
    cert = cfg.get("certification") or {}
    hours, days = cert.get("hours", 10), cert.get("window_days", 365)
    if isinstance(hours, bool) or not isinstance(hours, (int, float)) or hours <= 0:
        errors.append("[training.certification] hours 는 0보다 큰 숫자여야 합니다.")
    if isinstance(days, bool) or not isinstance(days, int) or days <= 0:
        errors.append("[training.certification] window_days 는 0보다 큰 정수여야 합니다.")
    when = cert.get("application_date", "")
    if when:
        try:
            date.fromisoformat(str(when))
        except ValueError:
            errors.append(
                f"[training.certification] application_date '{when}' 는 YYYY-MM-DD 날짜여야 합니다."
            )
    return errors
