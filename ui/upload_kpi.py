"""Upload flow — placeholder until its issue lands."""
import streamlit as st


def render(ctx) -> None:
    st.info("준비 중입니다.")
