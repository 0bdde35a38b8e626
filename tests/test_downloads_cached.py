"""A page view does the least work: download files are built on click, never on a rerun, and the
page's queries are not run again while the data is unchanged (calls counted, not timed)."""

from __future__ import annotations

import functools

import pytest

from ccm import kpi_excel, ranking
from ui import components


def _count(monkeypatch: pytest.MonkeyPatch, module, name: str) -> list[int]:
    calls = [0]
    original = getattr(module, name)

    @functools.wraps(original)
    def counted(*args, **kwargs):
        calls[0] += 1
        return original(*args, **kwargs)

    monkeypatch.setattr(module, name, counted)
    return calls


def _year(at, year: int = 2026):
    at.session_state["flt_kind"] = "year"
    at.session_state["flt_year"] = year
    return at


def test_ranking_page_builds_no_workbook_on_view_or_rerun(demo_env, app_test, monkeypatch):
    built = [_count(monkeypatch, components, "excel_bytes"), _count(monkeypatch, components, "csv_bytes")]
    at = _year(app_test("pages/ranking.py")).run()
    assert not at.exception
    assert len(at.get("download_button")) >= 5  # two per table plus the committee workbook
    at.run()
    assert not at.exception
    assert [c[0] for c in built] == [0, 0]


def test_kpi_page_builds_no_review_workbook_on_view_or_rerun(demo_env, app_test, monkeypatch):
    built = _count(monkeypatch, kpi_excel, "review_workbook")
    at = app_test("pages/kpi.py").run()
    assert not at.exception
    assert any(b.label == "KPI 검토 자료 Excel" for b in at.get("download_button"))
    at.run()
    assert built[0] == 0


def test_rerun_with_unchanged_data_does_not_query_again(demo_env, app_test, monkeypatch):
    evaluated = _count(monkeypatch, ranking, "evaluate")
    at = _year(app_test("pages/ranking.py")).run()
    assert evaluated[0] == 1
    at.number_input(key=f"rk_w_{ranking.config_from_settings(demo_env).components[0].key}").set_value(
        50.0
    ).run()
    at.run()
    assert not at.exception
    assert evaluated[0] == 1, "a weight change or rerun re-ran the cached evaluation"


def test_figures_are_built_once_per_data_version_and_filters(demo_env, app_test, monkeypatch):
    import plotly.express as px

    built = [_count(monkeypatch, px, name) for name in ("bar", "line", "scatter", "density_heatmap")]
    at = _year(app_test("pages/trends.py")).run()
    assert not at.exception
    first = sum(c[0] for c in built)
    assert first >= 5
    at.run()
    assert sum(c[0] for c in built) == first, "a rerun with the same data and filters built figures again"
    at.session_state["flt_year"] = 2025
    at.run()
    assert sum(c[0] for c in built) > first, "other filters must build their own figures"
