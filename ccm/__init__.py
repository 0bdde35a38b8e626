"""Domain package of the CCM dashboard: business rules and queries. Pure Python, no Streamlit."""
