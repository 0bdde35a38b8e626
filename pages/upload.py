"""데이터 올리기: VOC exports, survey files and KPI workbooks."""

import streamlit as st

from ui import upload_kpi, upload_survey, upload_voc
from ui.bootstrap import setup
from ui.nav import ACCESS


def main() -> None:
    ctx = setup("데이터 올리기", roles=ACCESS["upload"], filters=False)
    st.title("데이터 올리기")
    tab_voc, tab_survey, tab_kpi = st.tabs(["VOC 내보내기 파일", "고객만족도 설문", "KPI 실적"])
    with tab_voc:
        if ctx.user.role == "부서":  # an export holds every department's items: loaded by 관리자/분석 only
            st.info("VOC 내보내기 파일은 모든 부서의 VOC가 들어 있어 관리자·분석 권한 사용자가 올립니다.")
        else:
            upload_voc.render(ctx)
    with tab_survey:
        upload_survey.render(ctx)
    with tab_kpi:
        upload_kpi.render(ctx)


main()
