"""KPI 달성 — placeholder until its issue lands."""
import streamlit as st

from ui.bootstrap import setup

ctx = setup("KPI 달성")
st.title("KPI 달성")
st.info("이 화면은 준비 중입니다.")
