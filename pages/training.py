"""교육 이수: completion of the required training per role (manual §3.3.1-5, §5.1.3-2), hours per person,
department and course with the training-satisfaction score (§3.3.1-8), the certification check, the
template and (관리자/분석) the upload of training records (§3.3.1-7)."""

from __future__ import annotations

import hashlib

import pandas as pd
import streamlit as st

from ccm import db, formats, training
from ccm.safe_text import md
from ccm.settings import as_date
from etl import sandbox, training_template
from etl import training as training_etl
from etl.readers import Limits, ReadError
from ui import data
from ui.auth import audit_upload
from ui.bootstrap import setup
from ui.components import XLSX, category_bar, chart, definition, empty_state, from_zero, headline, table

NAME_ROLES = ("관리자", "분석")  # names (성명) are shown to these roles only; others see 사번
DEF_RATE = (
    "이수율 = 역할별 연간 요건을 채운 사람 ÷ 요건이 있는 사람. 요건(설정 [training]): {rules}. "
    "CCM 교육 = 서식의 'CCM 교육 여부'가 '예'인 기록, 비어 있으면 과정명에 {keywords} 중 하나가 든 과정."
)
DEF_PEOPLE = (
    "대상자 = 그해 또는 전년도 교육 기록이 있는 직원과 설정 [training.members]의 역할 명단(인사 명부가 "
    "아니므로 교육 기록이 한 번도 없는 직원은 빠집니다). 부서·역할은 그해 가장 최근 기록의 값이고, "
    "명단에 있는 사번은 명단의 역할을 씁니다."
)
DEF_HOURS = "교육시간 = 실 교육시간(수료증·결과보고 기준, 매뉴얼 §3.3.1-7③)의 합계, 교육시작일이 그해인 기록."
DEF_SATISFACTION = (
    "만족도 점수(100점) — 과정과 설문을 잇는 규칙: ① 그해 설문 중 이름에서 끝의 {suffixes}를 뗀 것이 "
    "과정명과 같은 설문이 있으면 그 설문의 종합지수, ② 없으면 {surveys} 설문에서 교육과정(고객유형) "
    "응답이 과정명과 같은 응답자들의 점수. 띄어쓰기·대소문자는 무시합니다. 둘 다 없으면 —."
)


def main() -> None:
    ctx = setup("교육 이수", period_kind="year")
    st.title("교육 이수 실적")
    rules = training.rules_from(ctx.settings)
    names = ctx.user.role in NAME_ROLES
    year = (ctx.scope.end - pd.Timedelta(days=1)).year
    depts = ctx.scope.departments
    st.caption(
        f"{year}년 (연 단위: 사이드바 조회 기간의 연도) · 매뉴얼 §3.3.1-7 개인별 교육이수 결과"
        + ("" if names else " · 성명은 관리자·분석 권한에만 보이고, 여기서는 사번으로 표시합니다")
    )
    if not data.run(training.has_data):
        empty_state(
            "아직 적재된 교육 실적이 없습니다. 아래 '서식·올리기'에서 서식을 내려받아 채운 뒤 올리거나 "
            "`python -m etl training 파일.xlsx` 로 적재하세요.",
            upload_hint=False,
        )
        _template_and_upload(ctx, names)
        return
    dept = data.run(training.department_table, year, depts, rules)
    if dept.empty:
        empty_state(
            f"{year}년{' 선택한 부서' if depts else ''}에 교육 기록이 있는 직원이 없습니다. "
            "사이드바의 연도나 부서를 바꿔 보세요.",
            upload_hint=False,
        )
        _template_and_upload(ctx, names)
        return
    _headline(dept, rules)
    tabs = st.tabs(["요건 미달자", "부서별", "개인별", "과정별", "인증 요건", "서식·올리기"])
    with tabs[0]:
        below = data.run(training.below_table, year, depts, rules, names=names)
        st.markdown(f"**{year}년 요건 미달 {len(below):,}명** — 역할별 요건을 아직 채우지 못한 사람과 부족분")
        if below.empty:
            st.success("요건이 있는 사람이 모두 요건을 채웠습니다.", icon=":material/check_circle:")
        else:
            table(below, f"{year}년 교육 요건 미달자", key="training_below", audit=names)
    with tabs[1]:
        _departments(dept, year)
    with tabs[2]:
        table(
            data.run(training.person_table, year, depts, rules, names=names),
            f"{year}년 개인별 교육 이수",
            key="training_people",
            audit=names,
        )  # a download with names is recorded in the audit log
    with tabs[3]:
        st.caption(
            DEF_SATISFACTION.format(
                suffixes="·".join(f"'{s}'" for s in rules.survey_suffixes),
                surveys="·".join(f"'{s}'" for s in rules.survey_names),
            )
        )
        table(
            data.run(training.course_table, year, depts, rules),
            f"{year}년 과정별 교육 실적",
            key="training_courses",
        )
    with tabs[4]:
        _certification(ctx, rules, names)
    with tabs[5]:
        _template_and_upload(ctx, names)


def _headline(dept: pd.DataFrame, rules: training.Rules) -> None:
    total = dept[dept["부서"] == "전체"].iloc[0]
    c1, c2, c3, c4 = st.columns(4)
    rule_text = "; ".join(f"{r.role} {r.text()}" for r in rules.rules)
    headline(
        "이수율",
        formats.pct(total["이수율"]),
        where=c1,
        help=DEF_RATE.format(rules=rule_text, keywords=", ".join(rules.keywords)),
    )
    c1.caption(f"요건 대상 {int(total['요건 대상']):,}명 중 {int(total['요건 충족']):,}명 충족")
    headline(
        "요건 미달",
        formats.count(int(total["미달"]), "명"),
        where=c2,
        help="역할별 연간 요건을 아직 채우지 못한 사람 수(요건 미달자 탭에 명단과 부족분).",
    )
    headline(
        "1인당 교육시간", formats.hours(total["1인당 교육시간"]), where=c3, help=DEF_HOURS + " ÷ 대상자 수."
    )
    headline(
        "CCM 교육시간 합계",
        formats.hours(total["CCM 교육시간 합계"]),
        where=c4,
        help=DEF_HOURS + " 가운데 CCM 교육으로 세는 과정만.",
    )
    definition(DEF_PEOPLE)


def _departments(dept: pd.DataFrame, year: int) -> None:
    parts = dept[dept["부서"] != "전체"]
    rated = parts[parts["요건 대상"] > 0].assign(label=lambda d: d["이수율"].map(formats.pct))
    fig = data.figure(_rate_figure, rated[["부서", "이수율", "label"]].reset_index(drop=True), year)
    chart(fig, dept, f"{year}년 부서별 교육 이수", key="training_depts")
    definition(
        "부서별 이수율 = 그 부서에서 요건을 채운 사람 ÷ 요건이 있는 사람. '전체' 행은 선택한 부서 모두."
    )


def _rate_figure(rated: pd.DataFrame, year: int):
    fig = category_bar(
        rated, "부서", "이수율", title=f"{year}년 부서별 교육 이수율", text=list(rated["label"])
    )
    return from_zero(fig, rate=True, axis="x" if getattr(fig, "_ccm_horizontal", False) else "y", top=1.15)


def _certification(ctx, rules: training.Rules, names: bool) -> None:
    default = as_date(ctx.settings.training.certification.application_date) or ctx.now.date()
    application = st.date_input("인증 신청(예정)일", default, key="training_cert_date", format="YYYY-MM-DD")
    st.caption(
        f"신청일 전 {rules.cert_days}일 안의 CCM 교육시간이 {rules.cert_hours:g}시간 이상인지 봅니다"
        f"(대상 역할: {', '.join(rules.cert_roles)}). 근거: {md(rules.cert_source)}"
    )
    cert = data.run(training.certification, application, rules, names=names)
    if ctx.scope.departments is not None:
        cert = cert[cert["부서"].isin(ctx.scope.departments)]
    if cert.empty:
        st.info(
            "인증 요건 대상 역할의 직원이 없습니다(역할 명단 또는 파일의 '역할' 열을 확인하세요).",
            icon=":material/info:",
        )
        return
    short = int((~cert["충족"]).sum())
    st.markdown(f"**대상 {len(cert):,}명 중 {short:,}명이 {rules.cert_hours:g}시간에 못 미칩니다.**")
    table(cert, "인증 신청 전 CCM 교육시간", key="training_cert", audit=names)


def _template_and_upload(ctx, names: bool) -> None:
    st.markdown(
        "**교육 실적 서식** — 한 사람의 한 과정이 한 행입니다. 부서·직렬·직급·역할·과정명·고용보험 환급 여부는 목록에서 고릅니다."
    )
    courses = data.run(training.course_names)
    st.download_button(
        "교육 실적 서식 내려받기(.xlsx)",
        lambda: training_template.build(ctx.settings, courses),
        "교육실적_서식.xlsx",
        XLSX,
        key="training_template_dl",
        icon=":material/download:",
        on_click="ignore",
    )
    if not names:
        st.caption("교육 실적 파일에는 성명이 들어 있어 관리자·분석 권한 사용자가 올립니다.")
        return
    _upload(ctx)


def _upload(ctx) -> None:
    up = st.file_uploader(
        "교육 실적 파일 (.xlsx, .xls, .csv)", type=["xlsx", "xls", "csv"], key="training_file"
    )
    said = st.session_state.pop("training_loaded", None)
    if said:
        (st.success if said[0] else st.error)(md(said[1]))
    if up is None:
        st.caption(
            "올리면 먼저 검사 결과(새로·변경·그대로, 오류)를 보여 드리고, 확인을 누를 때 저장합니다. "
            "오류가 한 건이라도 있으면 저장하지 않습니다."
        )
        return
    raw = up.getvalue()
    try:
        prep = _prepare(raw, up.name, data.data_version())
    except ReadError as exc:
        st.error(f"읽을 수 없습니다: {md(exc)}", icon=":material/error:")
        return
    for note in prep.notes:
        st.caption(md(note))
    if not prep.rejects.empty:
        st.error(
            f"{md(up.name)}: {len(prep.rejects):,}건의 오류가 있어 저장할 수 없습니다. 고친 뒤 다시 올리세요.",
            icon=":material/error:",
        )
        table(prep.rejects, "교육 실적 적재 오류", key="training_rejects")
        return
    if prep.rows.empty:
        st.warning("적재할 행이 없습니다.", icon=":material/warning:")
        return
    with db.session(ctx.settings.db_path) as con:
        plan = training_etl.dry_run(con, prep)
    st.markdown("**적재하면 바뀌는 내용**")
    st.table(
        pd.DataFrame(
            [
                ("교육 기록", f"{len(prep.rows):,}건 ({plan['people']:,}명)"),
                ("새 기록", f"{plan['inserted']:,}건"),
                ("바뀌는 기록", f"{plan['updated']:,}건"),
                ("이미 같은 기록", f"{plan['unchanged']:,}건"),
            ],
            columns=["항목", "값"],
        ).set_index("항목")
    )
    tag = hashlib.sha256(raw).hexdigest()[:8]
    if st.button("확인하고 적재", type="primary", key=f"training_load_{tag}", icon=":material/upload:"):
        result = training_etl.finish(prep, raw, ctx.settings.db_path, ctx.user.username)
        audit_upload("교육 실적", up.name, result.message)
        st.session_state["training_loaded"] = (result.ok, result.message)
        st.rerun()


@st.cache_data(show_spinner="파일을 검사하는 중…", max_entries=4)
def _prepare(raw: bytes, name: str, version: tuple) -> training_etl.Prepared:
    settings = data.settings()
    return sandbox.run(
        training_etl.read_prepared, raw, name, settings, limits=Limits.from_settings(settings), what=name
    )


main()
