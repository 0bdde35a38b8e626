"""settings.toml holds facts with their source and product defaults; the demo's invented closure days
live in the demo's overlay, which the demo build writes beside its database."""

from __future__ import annotations

import tomllib
from datetime import date

import duckdb
import pytest

from ccm import settings_edit
from ccm.calendar import BusinessCalendar
from ccm.settings import (
    DEFAULT_SETTINGS,
    SettingsFileError,
    dated_override_errors,
    load_settings,
    overlay_path,
)
from etl import demo

FOUNDATION_DAY = date(2026, 5, 20)  # a Wednesday, no public holiday: the closure the demo invents


def shipped() -> dict:
    with open(DEFAULT_SETTINGS, "rb") as fh:
        return tomllib.load(fh)


def test_shipped_settings_have_no_closure_day_and_every_dated_fact_has_a_source():
    raw = shipped()
    assert raw["calendar"]["extra_closures"] == [] and raw["calendar"]["working_days"] == []
    assert dated_override_errors(raw) == []
    assert all(rule["source"].strip() for rule in raw["sla"]["rules"])
    assert "domain" in raw["pcsi"]["peer_average"]["source"]


def test_the_apps_calendar_on_the_shipped_settings_keeps_20_may_a_business_day(env):
    settings = load_settings()  # what the dashboard loads: CCM_SETTINGS (a copy of settings.toml), CCM_DB
    cal = BusinessCalendar.from_settings(settings)
    assert settings.overlay is None and cal.is_business_day(FOUNDATION_DAY)
    assert FOUNDATION_DAY not in set(cal.closures(2026)["date"])


@pytest.mark.parametrize(
    "entry",
    [
        '{ date = "2026-10-07", name = "임시 휴무" }',
        '{ date = "2026-10-07", name = "임시 휴무", source = " " }',
        '"2026-10-07"',
    ],
)
def test_loading_refuses_a_closure_day_without_a_source(env, entry):
    text = env.path.read_text(encoding="utf-8").replace(
        "extra_closures = []", f"extra_closures = [{entry}]", 1
    )
    env.path.write_text(text, encoding="utf-8")
    with pytest.raises(SettingsFileError, match=r"근거\(source\)가 없습니다"):
        load_settings(env.path)
    assert any("source" in e for e in settings_edit.validate(settings_edit.parse(text)))


def test_loading_refuses_a_dated_sla_table_or_peer_average_without_a_source(env):
    raw = shipped()
    del raw["sla"]["rules"][0]["source"]
    del raw["pcsi"]["peer_average"]["source"]
    errors = dated_override_errors(raw)
    assert len(errors) == 2 and "[[sla.rules]] 1번째 표" in errors[0] and "[pcsi.peer_average]" in errors[1]


def test_a_closure_with_its_source_is_accepted_and_closes_the_day(env):
    text = env.path.read_text(encoding="utf-8").replace(
        "extra_closures = []",
        'extra_closures = [{ date = "2026-10-07", name = "임시 휴무", source = "결재 문서" }]',
        1,
    )
    env.path.write_text(text, encoding="utf-8")
    assert not BusinessCalendar.from_settings(load_settings(env.path)).is_business_day(date(2026, 10, 7))


def test_the_overlay_beside_the_database_is_merged_table_by_table(env):
    overlay_path(env.db_path).write_text(
        '[calendar]\nextra_closures = [{ date = "2026-05-20", name = "창립기념일", source = "데모" }]\n'
        '[pcsi.peer_average]\n"2024" = 89.0\n',
        encoding="utf-8",
    )
    settings = load_settings(env.path)
    assert settings.overlay == overlay_path(env.db_path)
    assert settings["calendar"]["work_start"] == "09:00"  # the rest of [calendar] is kept
    assert (
        settings["pcsi"]["peer_average"]["2023"] == 88.5 and settings["pcsi"]["peer_average"]["2024"] == 89.0
    )
    assert not BusinessCalendar.from_settings(settings).is_business_day(FOUNDATION_DAY)


def test_an_overlay_closure_without_a_source_is_refused(env):
    overlay_path(env.db_path).write_text(
        '[calendar]\nextra_closures = [{ date = "2026-05-20", name = "창립기념일" }]\n', encoding="utf-8"
    )
    with pytest.raises(SettingsFileError, match="ccm.overlay.toml"):
        load_settings(env.path)


def test_the_demo_build_writes_and_applies_its_overlay(env, tmp_path):
    db = tmp_path / "demo" / "demo.duckdb"
    built = demo.build(db, load_settings(env.path), parts=[])  # the overlay step alone: no data parts
    assert overlay_path(db).read_text(encoding="utf-8") == demo.DEMO_SETTINGS.read_text(encoding="utf-8")
    closures = {(c["date"], c["name"]) for c in built["calendar"]["extra_closures"]}
    assert (FOUNDATION_DAY.isoformat(), "창립기념일") in closures
    assert all("데모" in c["source"] for c in built["calendar"]["extra_closures"])
    assert load_settings(env.path, db=db).overlay == overlay_path(db)


@pytest.mark.slow
def test_the_demo_database_was_built_with_the_demo_closures(demo_db):
    with duckdb.connect(str(demo_db), read_only=True) as con:
        due_on_closure = con.execute("SELECT count(*) FROM voc WHERE due_at::DATE = '2025-05-20'").fetchone()[
            0
        ]
        moved = con.execute("""SELECT count(*) FROM voc WHERE received_at::DATE = '2025-05-20'
                               AND clock_start::DATE = '2025-05-21'""").fetchone()[0]
    assert due_on_closure == 0 and moved > 0


@pytest.mark.slow
def test_the_dashboard_on_the_demo_database_shows_the_demo_closures(demo_env):
    settings = load_settings()  # CCM_DB is the demo copy: its overlay applies
    assert not BusinessCalendar.from_settings(settings).is_business_day(FOUNDATION_DAY)
    assert not BusinessCalendar.from_settings(demo_env).is_business_day(FOUNDATION_DAY)
