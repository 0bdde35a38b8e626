"""유형별 추이 — placeholder until its issue lands."""
import streamlit as st

from ui.bootstrap import setup

ctx = setup("유형별 추이")
st.title("유형별 추이")
st.info("이 화면은 준비 중입니다.")
