"""KPI workbook: template download, upload, and the row-level report (all or nothing)."""

from __future__ import annotations

import streamlit as st

from ccm import kpi
from ccm.safe_text import md
from etl import kpi as kpi_etl
from etl import kpi_template
from ui import data
from ui.auth import audit_upload
from ui.components import table


def render(ctx) -> None:
    st.markdown(
        "**KPI 통합 문서** — 'KPI정의'(목표) 시트와 '월별실적' 시트가 있는 Excel 파일 하나로 올립니다. "
        "오류가 한 건이라도 있으면 아무것도 저장하지 않습니다."
    )
    own = (ctx.user.department or "",) if ctx.user.role == "부서" else None
    _template(ctx, own)
    if own:
        st.caption(f"부서 권한: {md(own[0])}의 행만 올릴 수 있습니다.")
    up = st.file_uploader("KPI 통합 문서(.xlsx, .xls)", type=["xlsx", "xls"], key="kpi_upload")
    if up is not None and st.button("적재하기", key="kpi_load", type="primary"):
        with st.spinner("KPI 통합 문서를 검사하고 저장하는 중…"):
            result = kpi_etl.load(
                up.getvalue(),
                data.db_path(),
                ctx.settings,
                file_name=up.name,
                loaded_by=ctx.user.username,
                allowed_departments=own,
            )
        st.session_state["kpi_upload_result"] = result
        audit_upload("KPI", up.name, result.message)
    result = st.session_state.get("kpi_upload_result")
    if result is not None:
        _report(result)


def _template(ctx, own: tuple[str, ...] | None) -> None:
    year = st.selectbox(
        "서식 연도", [ctx.now.year + 1, ctx.now.year, ctx.now.year - 1], index=1, key="kpi_tpl_year"
    )
    defs = data.run(kpi.definitions, year)
    actuals = data.run(kpi.manual_actuals, year)
    st.download_button(
        f"{year}년 KPI 서식 내려받기",
        lambda: kpi_template.build(ctx.settings, year, defs, actuals, own),
        f"KPI_통합문서_{year}.xlsx",
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        key="kpi_template_dl",
        icon=":material/download:",
        on_click="ignore",
    )
    st.caption(
        "이미 적재된 그해 KPI와 실적이 채워져 있습니다(없으면 매뉴얼의 경영목표·주관부서·사업부서 지표 목록). "
        "부서·방향·집계방식·자동실적 칸은 목록에서 고르고, '안내' 시트의 설명을 따라 채우세요."
        if not defs.empty
        else "아직 적재된 KPI가 없어 매뉴얼의 경영목표·주관부서·사업부서 지표 목록이 채워져 있습니다. "
        "연간목표를 채우고 '안내' 시트의 설명을 따르세요."
    )


def _report(result: kpi_etl.LoadResult) -> None:
    if result.ok:
        st.success(md(result.message), icon=":material/check_circle:")
        return
    st.error(md(result.message), icon=":material/error:")
    if not result.rejects.empty:
        table(result.rejects, "KPI 적재 오류", key="kpi_rejects")
