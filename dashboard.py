"""CCM 성과 대시보드 — entry point: routes to the pages, nothing else."""
import streamlit as st

st.set_page_config(page_title="CCM 성과 대시보드", layout="wide", page_icon=":material/monitoring:")

PAGES = {
    "": [st.Page("pages/overview.py", title="개요", icon=":material/home:", url_path="overview", default=True)],
    "VOC 분석": [
        st.Page("pages/sla.py", title="처리기한 준수", icon=":material/timer:", url_path="sla"),
        st.Page("pages/trends.py", title="유형별 추이", icon=":material/trending_up:", url_path="trends"),
    ],
    "성과": [
        st.Page("pages/kpi.py", title="KPI 달성", icon=":material/flag:", url_path="kpi"),
        st.Page("pages/pcsi.py", title="고객만족도(PCSI)", icon=":material/sentiment_satisfied:", url_path="pcsi"),
        st.Page("pages/ranking.py", title="부서 평가·포상", icon=":material/military_tech:", url_path="ranking"),
    ],
    "보고": [
        st.Page("pages/report.py", title="반기 VOC 보고서", icon=":material/description:", url_path="report"),
        st.Page("pages/meeting.py", title="회의 화면", icon=":material/co_present:", url_path="meeting"),
    ],
    "데이터": [
        st.Page("pages/upload.py", title="데이터 올리기", icon=":material/upload:", url_path="upload"),
        st.Page("pages/admin.py", title="관리", icon=":material/settings:", url_path="admin"),
    ],
}

st.navigation(PAGES).run()
