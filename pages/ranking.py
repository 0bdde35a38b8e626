"""부서 평가·포상 — placeholder until its issue lands."""
import streamlit as st

from ui.bootstrap import setup

ctx = setup("부서 평가·포상")
st.title("부서 평가·포상")
st.info("이 화면은 준비 중입니다.")
