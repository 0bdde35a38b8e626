"""ETL: files → read → normalise → validate → store (DuckDB). Run as `python -m etl COMMAND`."""
