"""처리기한 준수 — placeholder until its issue lands."""
import streamlit as st

from ui.bootstrap import setup

ctx = setup("처리기한 준수")
st.title("처리기한 준수")
st.info("이 화면은 준비 중입니다.")
