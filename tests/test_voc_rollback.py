"""ccm.voc.rollback: the state after rolling a batch back equals the state before it, exactly."""

import pytest

from ccm import db, voc
from etl.__main__ import main
from tests.support.voc_files import row, state, write_csv


def load(path) -> None:
    assert main(["voc", str(path)]) == 0


def test_rollback_of_an_updating_batch_restores_the_previous_state(tmp_path, db_path):
    load(write_csv(tmp_path / "1.csv", [row("V1", status="처리중", completed=""), row("V2")]))
    before = state(db_path)
    load(write_csv(tmp_path / "2.csv", [row("V1"), row("V2", title="제목 수정"), row("V3")]))
    assert state(db_path) != before
    with db.session(db_path) as con:
        result = voc.rollback(con, 2)
        status = con.execute("SELECT status FROM load_batches WHERE batch_id = 2").fetchone()[0]
    assert result == {"batch_id": 2, "removed": 1, "restored": 2}
    assert status == "rolled_back"
    assert state(db_path) == before


def test_rollback_of_the_first_batch_empties_the_store(tmp_path, db_path):
    load(write_csv(tmp_path / "1.csv", [row("V1"), row("V2")]))
    with db.session(db_path) as con:
        voc.rollback(con, 1)
    assert state(db_path) == {"voc_items": [], "voc_items_replaced": []}


def test_rollback_refused_while_a_later_batch_changed_the_same_items(tmp_path, db_path):
    load(write_csv(tmp_path / "1.csv", [row("V1", status="처리중", completed="")]))
    load(write_csv(tmp_path / "2.csv", [row("V1")]))
    before = state(db_path)
    with db.session(db_path) as con:
        with pytest.raises(voc.RollbackError, match="뒤의 배치"):
            voc.rollback(con, 1)
    assert state(db_path) == before
    with db.session(db_path) as con:
        voc.rollback(con, 2)
        voc.rollback(con, 1)
    assert state(db_path)["voc_items"] == []


def test_rollback_twice_or_unknown_batch_is_refused(tmp_path, db_path):
    load(write_csv(tmp_path / "1.csv", [row("V1")]))
    with db.session(db_path) as con:
        voc.rollback(con, 1)
        with pytest.raises(voc.RollbackError, match="이미"):
            voc.rollback(con, 1)
        with pytest.raises(voc.RollbackError, match="없습니다"):
            voc.rollback(con, 99)
