"""The shell works before any data exists."""

from ccm import db, voc
from ccm.period import Scope, period
from ccm.settings import ROOT


def test_empty_database_gets_schema(db_path):
    with db.session(db_path) as con:
        assert not voc.has_data(con)
        tables = {r[0] for r in con.execute("SHOW TABLES").fetchall()}
    assert {"voc", "voc_items", "load_batches"} <= tables


def test_period_bounds_are_half_open():
    h2 = period("half", 2025, 2)
    assert (h2.start.isoformat(), h2.end.isoformat()) == ("2025-07-01", "2026-01-01")
    assert h2.previous().start.isoformat() == "2025-01-01"
    assert h2.last_year().start.isoformat() == "2024-07-01"


def test_scope_with_no_department_selects_nothing():
    sql, params = Scope(period("year", 2025).start, period("year", 2025).end, ()).where()
    assert sql == "FALSE" and params == []


def test_overview_page_on_empty_database(app_test):
    at = app_test("pages/overview.py").run()
    assert not at.exception
    assert any("아직 데이터가 없습니다" in s.value for s in at.subheader)


def test_trailing_window_covers_twelve_months_up_to_the_period():
    month = period("month", 2026, 11)
    t = month.trailing()
    assert (t.start.isoformat(), t.end.isoformat(), t.label) == (
        "2025-12-01",
        "2026-12-01",
        "2025-12 ~ 2026-11",
    )
    year = period("year", 2025)
    assert year.trailing().start == year.start  # a longer period keeps its own start


def test_no_page_relies_on_streamlit_magic() -> None:
    """Magic is off (.streamlit/config.toml: a page is not rewritten on every run), so a bare value or
    a string that is not a docstring would silently show nothing."""
    import ast

    config = (ROOT / ".streamlit" / "config.toml").read_text(encoding="utf-8")
    assert "magicEnabled = false" in config
    bare = []
    for path in [ROOT / "dashboard.py", *sorted((ROOT / "pages").glob("*.py"))]:
        for parent in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            body = getattr(parent, "body", None)
            for i, node in enumerate(body if isinstance(body, list) else []):
                if not isinstance(node, ast.Expr) or isinstance(node.value, (ast.Call, ast.Await)):
                    continue
                docstring = i == 0 and isinstance(parent, (ast.Module, ast.FunctionDef, ast.ClassDef))
                if not (docstring and isinstance(node.value, ast.Constant)):
                    bare.append(f"{path.name}:{node.lineno}")
    assert bare == []
