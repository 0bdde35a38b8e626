"""One check of the SLA rule tables, run by the settings loader, the in-app editor and recompute alike;
recompute refuses a bad table before touching a row, and every recompute is audited with what changed."""

from __future__ import annotations

import copy
import re

import pandas as pd
import pytest
import tomlkit

from ccm import audit, settings_edit, sla
from ccm.db import connect
from ccm.settings import SettingsFileError, load_settings
from tests.support.calendar_reference import make_settings

NEW_TABLE = {
    "effective_from": "2025-07-01",
    "source": "개정 결재",
    "days": {"문의": 1, "불만": 3, "칭찬": 2, "건의": 3, "유실물신고": 2, "긴급요청": 1, "고충": 7},
}


def _bad(change) -> dict:
    raw = make_settings(closures=[])
    change(raw["sla"]["rules"][0])
    return raw


BAD = {  # case → (change to the shipped table, words the message must hold)
    "negative days": (lambda r: r["days"].update({"불만": -2}), "'불만' 처리기한 -2: 1 이상의 정수"),
    "zero days": (lambda r: r["days"].update({"문의": 0}), "'문의' 처리기한 0: 1 이상의 정수"),
    "fractional days": (lambda r: r["days"].update({"건의": 1.5}), "'건의' 처리기한 1.5: 1 이상의 정수"),
    "true as days": (lambda r: r["days"].update({"칭찬": True}), "'칭찬' 처리기한 true: 1 이상의 정수"),
    "unknown type": (lambda r: r["days"].update({"민원": 3}), "'민원'는 [voc.types]에 없는 유형"),
    "missing type": (lambda r: r["days"].pop("고충"), "유형 '고충'의 처리기한(days)이 없습니다"),
    "bad counting": (lambda r: r["counting"].update({"고충": "weeks"}), "'고충' 계산 방식 \"weeks\""),
    "counting of unknown type": (lambda r: r["counting"].update({"민원": "days"}), "counting 의 '민원'"),
    "bad date": (lambda r: r.update(effective_from="2000-13-01"), "effective_from 은 날짜"),
}


def _items(con) -> None:
    rows = [
        ("A", "2025-07-02 10:00", "2025-07-04 11:00", "불만"),
        ("B", "2025-06-30 10:00", None, "불만"),
        ("C", "2025-07-02 10:00", None, "문의"),
    ]
    for voc_id, received, completed, kind in rows:
        con.execute(
            "INSERT INTO voc_items (voc_id, received_at, completed_at, voc_type, status, batch_id) "
            "VALUES (?, ?, ?, ?, '접수', 1)",
            [voc_id, received, completed, kind],
        )


def _state(con) -> tuple:
    return (
        con.execute("SELECT * FROM voc_items ORDER BY voc_id").fetchall(),
        con.execute("SELECT count(*) FROM audit_log").fetchone()[0],
    )


def _recomputes(con) -> list[tuple]:
    return con.execute(
        "SELECT username, detail FROM audit_log WHERE action = 'sla_recompute' ORDER BY audit_id"
    ).fetchall()


def test_the_shipped_table_is_valid():
    assert sla.rule_table_errors(make_settings()) == []


@pytest.mark.parametrize("case", list(BAD))
def test_recompute_refuses_a_bad_table_and_leaves_the_database_unchanged(env, case):
    change, words = BAD[case]
    con = connect(env.db_path)
    _items(con)
    sla.recompute(con, make_settings(closures=[]), by="관리자")
    before = _state(con)
    with pytest.raises(sla.RuleTableError) as exc:
        sla.recompute(con, _bad(change), by="관리자")
    assert any(words in e for e in exc.value.errors), exc.value.errors
    assert _state(con) == before  # no row rewritten, no deadline dropped, nothing audited
    assert con.execute("SELECT count(*) FROM voc_items WHERE due_at IS NULL").fetchone()[0] == 0
    con.close()


@pytest.mark.parametrize("case", list(BAD))
def test_the_editor_and_the_settings_loader_refuse_the_same_table(env, tmp_path, case):
    change, words = BAD[case]
    raw = _bad(change)
    expected = sla.rule_table_errors(raw)
    assert expected and set(expected) <= set(settings_edit.validate(copy.deepcopy(raw)))
    path = tmp_path / "settings.toml"
    path.write_text(tomlkit.dumps(raw), encoding="utf-8")
    with pytest.raises(SettingsFileError, match=re.escape(expected[0])):
        load_settings(path)


def test_a_second_table_with_the_same_date_is_refused_everywhere(env):
    raw = make_settings(closures=[])
    raw["sla"]["rules"].append({**copy.deepcopy(raw["sla"]["rules"][0]), "source": "중복"})
    errors = sla.rule_table_errors(raw)
    assert errors == [
        "[[sla.rules]] 2번째 표: 시행일 2000-01-01이(가) 1번째 표와 같습니다 — 한 시행일에는 표 하나만 둡니다."
    ]
    assert errors[0] in settings_edit.validate(raw)
    empty = pd.Series([], dtype="datetime64[us]")
    with pytest.raises(sla.RuleTableError):
        sla.compute(empty, empty, pd.Series([], dtype="string"), raw)


def test_no_table_at_all_is_refused():
    raw = make_settings()
    raw["sla"]["rules"] = []
    assert sla.rule_table_errors(raw) == ["[sla] 처리기한 표([[sla.rules]])가 하나 이상 있어야 합니다."]


def test_every_recompute_is_audited_with_what_changed(env):
    con = connect(env.db_path)
    _items(con)
    assert sla.recompute(con, make_settings(closures=[]), by="관리자") == 3
    both = make_settings(closures=[])
    both["sla"]["rules"].append(NEW_TABLE)
    assert sla.recompute(con, both, by="관리자") == 3
    assert sla.recompute(con, both) == 3
    (u1, first), (u2, second), (u3, third) = _recomputes(con)
    assert (u1, u2, u3) == ("관리자", "관리자", None)
    assert first.startswith("처리기한 재계산: VOC 3건 중 3건 변경 — 문의: 기한 없음 → 2000-01-01~ · 1업무일")
    # A (불만, 7/2 10:00 → done 7/4 11:00): due 7/4 10:00 (late) becomes due 7/7 10:00 (on time);
    # B (received 6/30) keeps the old table; C (문의, open) keeps 1 day but now under the new table.
    assert second == (
        "처리기한 재계산: VOC 3건 중 2건 변경 — "
        "문의: 2000-01-01~ · 1업무일 · 시간 기준(8시간) → 2025-07-01~ · 1업무일 · 시간 기준(8시간) 1건"
        "(기한 이동 0건); "
        "불만: 2000-01-01~ · 2업무일 · 시간 기준(16시간) → 2025-07-01~ · 3업무일 · 시간 기준(24시간) 1건"
        "(준수 판정 바뀜 1건)"
    )
    assert third == "처리기한 재계산: VOC 3건 — 바뀐 처리기한 없음"
    stored = dict(con.execute("SELECT voc_id, sla_met FROM voc_items").fetchall())
    assert stored["A"] is True and stored["B"] is None
    assert audit.query(con, actions=("sla_recompute",))["작업"].tolist() == ["처리기한 재계산"] * 3
    con.close()


def test_a_calendar_change_is_audited_as_moved_deadlines_under_the_same_rule(env):
    con = connect(env.db_path)
    _items(con)
    sla.recompute(con, make_settings(closures=[]))
    sla.recompute(
        con, make_settings(closures=[{"date": "2025-07-03", "name": "임시 휴무", "source": "결재"}])
    )
    detail = _recomputes(con)[-1][1]
    # A: due 7/4 10:00 → 7/7 10:00 (7/3 closed), verdict late → on time; C: due 7/3 10:00 → 7/4 10:00
    assert detail == (
        "처리기한 재계산: VOC 3건 중 2건 변경 — "
        "문의: 2000-01-01~ · 1업무일 · 시간 기준(8시간) 그대로(달력 변경) 1건; "
        "불만: 2000-01-01~ · 2업무일 · 시간 기준(16시간) 그대로(달력 변경) 1건(준수 판정 바뀜 1건)"
    )
    con.close()
