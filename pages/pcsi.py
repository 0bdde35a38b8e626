"""고객만족도(PCSI) — placeholder until its issue lands."""
import streamlit as st

from ui.bootstrap import setup

ctx = setup("고객만족도(PCSI)")
st.title("고객만족도(PCSI)")
st.info("이 화면은 준비 중입니다.")
