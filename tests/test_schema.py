"""One schema (ccm/schema.py): applied statically on open, documented from itself, upgrades old databases."""

from __future__ import annotations

import subprocess
import sys

import duckdb

from ccm import db, schema
from ccm.settings import ROOT


def test_opening_a_database_loads_neither_argon2_scipy_kiwipiepy_nor_streamlit(tmp_path):
    code = (
        "import sys, ccm.db; ccm.db.connect(sys.argv[1]).close(); "
        "print(' '.join(m for m in ('argon2', 'scipy', 'kiwipiepy', 'streamlit') if m in sys.modules))"
    )
    out = subprocess.run(
        [sys.executable, "-c", code, str(tmp_path / "x.duckdb")],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    )
    assert out.stdout.strip() == ""


def test_committed_data_model_doc_is_the_generated_one():
    committed = (ROOT / schema.DOC_PATH).read_text(encoding="utf-8")
    assert committed == schema.doc(), "python -m ccm.schema --write 로 docs/data-model.md 를 다시 만드세요"


def test_every_table_and_column_has_a_comment():
    bare = [
        f"{t.name}.{name}" for t in schema.TABLES for name, _, comment in t.columns if not comment.strip()
    ]
    assert bare == [] and all(t.comment.strip() for t in [*schema.TABLES, *schema.VIEWS])


def test_the_database_holds_exactly_the_tables_and_views_of_the_schema(db_path):
    with db.session(db_path) as con:
        names = {
            r[0]
            for r in con.execute(
                "SELECT table_name FROM duckdb_tables() WHERE NOT internal "
                "UNION SELECT view_name FROM duckdb_views() WHERE NOT internal"
            ).fetchall()
        }
        columns = con.execute(
            "SELECT column_name FROM duckdb_columns() WHERE table_name = 'voc_topics' ORDER BY column_index"
        ).fetchall()
    assert names == {t.name for t in schema.TABLES} | {v.name for v in schema.VIEWS} | {"schema_info"}
    assert [c[0] for c in columns] == schema.table("voc_topics").names


def test_a_database_made_before_the_added_columns_gets_them(tmp_path):
    path = tmp_path / "old.duckdb"
    con = duckdb.connect(str(path))  # the shapes an earlier version created, with one item
    before = [
        f"{name} {sql_type}" for name, sql_type, _ in schema.VOC_ITEMS.columns if name != "export_as_of"
    ]
    con.execute(f"CREATE TABLE voc_items ({', '.join(before)})")
    con.execute(
        "INSERT INTO voc_items (voc_id, received_at, voc_type, status, batch_id) "
        "VALUES ('A-1', '2026-01-05 09:00', '불만', '접수', 1)"
    )
    con.execute("CREATE TABLE voc_topics (voc_id VARCHAR NOT NULL, topic VARCHAR NOT NULL)")
    con.close()
    con = db.connect(path)
    try:
        topic_columns = [r[0] for r in con.execute("DESCRIBE voc_topics").fetchall()]
        item = con.execute("SELECT voc_id, export_as_of FROM voc_items").fetchall()
    finally:
        con.close()
    assert topic_columns == [
        "voc_id",
        "topic",
        "received_at",
        "completed_at",
        "voc_type",
        "department",
        "facility",
    ]
    assert item == [("A-1", None)]
