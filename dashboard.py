"""CCM 성과 대시보드 — entry point: routes to the pages, nothing else."""

import streamlit as st

from ui.nav import route

st.set_page_config(page_title="CCM 성과 대시보드", layout="wide", page_icon=":material/monitoring:")
route()
