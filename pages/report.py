"""반기 VOC 보고서 — placeholder until its issue lands."""
import streamlit as st

from ui.bootstrap import setup

ctx = setup("반기 VOC 보고서")
st.title("반기 VOC 보고서")
st.info("이 화면은 준비 중입니다.")
