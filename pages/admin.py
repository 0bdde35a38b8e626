"""관리 — placeholder until its issue lands."""
import streamlit as st

from ui.bootstrap import setup

ctx = setup("관리")
st.title("관리")
st.info("이 화면은 준비 중입니다.")
