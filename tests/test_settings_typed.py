"""The typed settings (ccm.settings_sections): every key of the shipped file is read and every key read
is shipped (or documented optional); bad values are refused at load in Korean; the settings editor's
apply step (save → recompute deadlines → restore on failure → audit)."""

from __future__ import annotations

import copy
import tomllib
from dataclasses import fields, replace
from datetime import date

import pandas as pd
import pytest

from ccm import audit, db, kpi, settings_edit
from ccm.settings import DEFAULT_SETTINGS, Settings, SettingsFileError, load_settings
from ccm.settings_sections import OPTIONAL_KEYS, ComponentSettings, declared_keys, unread_keys
from tests.support.settings_copy import BASELINE


def _tables(path) -> dict:
    with open(path, "rb") as fh:
        return tomllib.load(fh)


def _paths(table: dict, where: str = "") -> set[str]:
    out = set()
    for key, value in table.items():
        path = f"{where}.{key}" if where else key
        out.add(path)
        if isinstance(value, dict):
            out |= _paths(value, path)
    return out


def test_every_key_of_the_shipped_file_is_read():
    assert unread_keys(_tables(DEFAULT_SETTINGS)) == []


def test_every_key_of_the_demo_overlay_is_read():
    assert unread_keys(_tables(DEFAULT_SETTINGS.parent / "etl" / "demo_settings.toml")) == []


def test_a_misspelt_key_is_found():
    assert unread_keys(
        {"calendar": {"extra_closures": [{"date": "2026-10-07", "nmae": "휴무"}]}, "sla": {"at_risk": 0.2}}
    ) == ["calendar.extra_closures.nmae", "sla.at_risk"]


def test_every_key_read_is_in_the_shipped_file_or_documented_optional():
    shipped = _paths(_tables(DEFAULT_SETTINGS))
    assert [k for k in declared_keys() if k not in shipped and k not in OPTIONAL_KEYS] == []


def test_every_ranking_component_sets_every_field():
    names = {f.name for f in fields(ComponentSettings)}
    for name, comp in _tables(DEFAULT_SETTINGS)["ranking"]["components"].items():
        assert set(comp) == names, name


def test_the_tests_baseline_holds_the_same_keys_as_the_shipped_file():
    assert _paths(_tables(BASELINE)) == _paths(_tables(DEFAULT_SETTINGS))


def test_the_shipped_file_loads_without_problems():
    s = load_settings(DEFAULT_SETTINGS, db=DEFAULT_SETTINGS.parent / "none.duckdb")
    assert s.problems == ()
    assert s.sla.at_risk_share == 0.25 and s.complaint_types == ("불만", "고충")
    assert s.sla.rules[0].effective_from == date(2000, 1, 1) and s.sla.rules[0].days["고충"] == 7
    assert s.pcsi.peer_average.by_year == {2023: 88.5} and s.limits.rows == 2_000_000


def test_an_absent_section_takes_its_defaults(env):
    raw = {k: v for k, v in env.raw.items() if k not in ("trends", "meeting")}
    s = Settings(raw=raw, path=env.path)
    assert s.problems == ()
    assert (s.trends.recurrence_days, s.trends.spikes.z, s.meeting.topic_days) == (90, 2.0, 90)


def _with(env, section: str, **values) -> Settings:
    raw = copy.deepcopy(env.raw)
    raw[section].update(values)
    return replace(env, raw=raw)


@pytest.mark.parametrize(
    ("section", "values", "message"),
    [
        ("sla", {"at_risk_share": -0.1}, "[sla] at_risk_share = -0.1: 0과 1 사이의 수여야 합니다."),
        ("auth", {"max_failures": "다섯"}, '[auth] max_failures = "다섯": 정수여야 합니다.'),
        ("auth", {"lockout_minutes": 0}, "[auth] lockout_minutes = 0: 1 이상의 정수여야 합니다."),
        (
            "kpi",
            {"missing_months": "skip"},
            '[kpi] missing_months = "skip": "flag" · "zero" · "carry" · "exclude" 중 하나여야 합니다.',
        ),
        (
            "text",
            {"stop_words": ["문의", 3]},
            "[text] stop_words 의 2번째 값 = 3: 글자(따옴표로 감싼 말)여야 합니다.",
        ),
        (
            "calendar",
            {"work_start": "9시"},
            '[calendar] work_start = "9시": \'HH:MM\' 형식(예: "09:00")이어야 합니다.',
        ),
        ("limits", {"rows": 0}, "[limits] rows = 0: 0보다 큰 수여야 합니다."),
    ],
)
def test_a_bad_value_is_named_in_korean_and_keeps_its_default(env, section, values, message):
    s = _with(env, section, **values)
    assert message in s.problems
    key, section_type = next(iter(values)), type(getattr(env, section))
    assert getattr(getattr(s, section), key) == getattr(section_type(), key)


def test_an_unknown_type_in_an_sla_table_is_refused(env):
    raw = copy.deepcopy(env.raw)
    raw["sla"]["rules"][0]["days"]["질문"] = 1
    assert (
        "[[sla.rules]] 1번째 표: days 의 '질문'는 [voc.types]에 없는 유형입니다."
        in Settings(raw=raw, path=env.path).problems
    )


def test_loading_refuses_a_bad_value_with_the_file_key_value_and_why(env):
    text = env.path.read_text(encoding="utf-8").replace("at_risk_share = 0.25", "at_risk_share = 1.5", 1)
    env.path.write_text(text, encoding="utf-8")
    with pytest.raises(SettingsFileError) as exc:
        load_settings(env.path)
    assert str(exc.value) == "설정 파일 settings.toml: [sla] at_risk_share = 1.5: 0과 1 사이의 수여야 합니다."


def test_the_editor_lists_what_the_loader_refuses(env):
    raw = copy.deepcopy(env.raw)
    raw["sla"]["at_risk_share"], raw["text"]["min_length"] = 2, 0
    assert settings_edit.validate(raw)[:2] == [
        "[sla] at_risk_share = 2: 0과 1 사이의 수여야 합니다.",
        "[text] min_length = 0: 1 이상의 정수여야 합니다.",
    ]


# ---- apply_settings --------------------------------------------------------------------------------
def _connect(env):
    return lambda: db.session(env.db_path)


def test_apply_saves_and_audits_the_changed_sections(env):
    before = env.path.read_text(encoding="utf-8")
    result = settings_edit.apply_settings(
        env.path, before.replace("topic_days = 90", "topic_days = 30"), _connect(env), "관리자"
    )
    assert (result.saved, result.changed, result.recomputed) == (True, ("meeting",), None)
    assert load_settings(env.path).meeting.topic_days == 30
    with db.session(env.db_path) as con:
        assert audit.query(con, actions=("settings",))["상세"].iloc[0] == "바뀐 구역: meeting"


def test_apply_puts_the_old_file_back_when_the_deadlines_cannot_be_recomputed(env):
    before = env.path.read_text(encoding="utf-8")
    result = settings_edit.apply_settings(
        env.path, before.replace('country = "KR"', 'country = "XX"'), _connect(env), "관리자"
    )
    assert not result.saved and result.changed == ("calendar",)
    assert result.errors[0].startswith("처리기한을 다시 계산하지 못해 설정을 저장하지 않았습니다")
    assert env.path.read_text(encoding="utf-8") == before
    with db.session(env.db_path) as con:
        assert audit.query(con, actions=("settings",)).empty


def test_apply_refuses_when_the_file_changed_since_editing_began(env):
    before = env.path.read_text(encoding="utf-8")
    result = settings_edit.apply_settings(
        env.path,
        before.replace("topic_days = 90", "topic_days = 30"),
        _connect(env),
        "관리자",
        base=before.replace("90", "91", 1),
    )
    assert not result.saved and "다른 곳에서 설정 파일이 바뀌었습니다" in result.errors[0]
    assert env.path.read_text(encoding="utf-8") == before


def test_apply_refuses_invalid_text_and_reports_no_change(env):
    before = env.path.read_text(encoding="utf-8")
    bad = settings_edit.apply_settings(
        env.path, before.replace("\nmin_n = 30", "\nmin_n = -1", 1), _connect(env), "관리자"
    )
    assert not bad.saved and bad.errors == ("[pcsi] min_n = -1: 1 이상의 정수여야 합니다.",)
    assert settings_edit.apply_settings(env.path, before, _connect(env), "관리자").unchanged


# ---- the KPI page's compliance figure --------------------------------------------------------------
def test_detail_compliance_pools_met_over_decided():
    detail = pd.DataFrame(
        {"접수번호": ["a", "b", "c", "d"], "기한준수": pd.array([True, False, None, True], dtype="boolean")}
    )
    c = kpi.detail_compliance(detail)
    assert (c.received, c.decided, c.met, c.rate) == (4, 3, 2, pytest.approx(2 / 3))
    assert kpi.detail_compliance(pd.DataFrame({"연도": [2025]})) is None
