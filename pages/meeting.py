"""회의 화면 — placeholder until its issue lands."""
import streamlit as st

from ui.bootstrap import setup

ctx = setup("회의 화면")
st.title("회의 화면")
st.info("이 화면은 준비 중입니다.")
