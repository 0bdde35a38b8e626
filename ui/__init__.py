"""Streamlit helpers shared by the pages: bootstrap, data access, components."""
