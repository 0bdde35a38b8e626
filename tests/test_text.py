"""Keyword extraction and topic tagging at load time (ccm.text.enrich) on a real DuckDB file."""

from __future__ import annotations

from dataclasses import replace

import pytest

from ccm import db, text
from tests.support import voc_database

COLS = ("voc_id", "received_at", "voc_type", "status", "title", "content")


def add(con, *rows):
    voc_database.insert_rows(con, list(rows), COLS)


def topics(con, voc_id: str) -> set[str]:
    return {r[0] for r in con.execute("SELECT topic FROM voc_topics WHERE voc_id = ?", [voc_id]).fetchall()}


@pytest.fixture
def con(env):
    c = db.connect(env.db_path)
    yield c
    c.close()


def test_keywords_are_nouns(con, env):
    add(
        con,
        ("K1", "2025-05-01 10:00", "불만", "완료", "주차 불편", "주차장이 너무 좁고 주차 요금이 비쌉니다"),
    )
    assert text.enrich(con, env) == 1
    words = set(text.keywords_of(con, ["K1"])["K1"])
    assert {"주차", "주차장", "요금"} <= words
    assert not words & {"너무", "좁", "비싸", "이", "고"}


def test_unchanged_texts_are_not_processed_again(con, env):
    add(con, ("K1", "2025-05-01 10:00", "불만", "완료", "환불 요청", "요금 환불"))
    assert text.enrich(con, env) == 1
    con.execute("UPDATE voc_items SET status = '처리중'")  # a status change is not a text change
    assert text.enrich(con, env) == 0


def test_changed_text_is_processed_again(con, env):
    add(con, ("K1", "2025-05-01 10:00", "불만", "완료", "환불 요청", "요금 환불"))
    text.enrich(con, env)
    con.execute("UPDATE voc_items SET title = '화장실 청소', content = '화장실 청결 불량'")
    assert text.enrich(con, env) == 1
    assert "환불" not in text.keywords_of(con, ["K1"])["K1"]
    assert topics(con, "K1") == {"청결"}


def test_identical_texts_are_analysed_once(con, env):
    add(
        con,
        *[(f"D{i}", "2025-05-01 10:00", "문의", "완료", "예약 문의", "캠핑장 예약 취소") for i in range(5)],
    )
    assert text.enrich(con, env) == 5
    assert con.execute("SELECT count(*) FROM text_cache").fetchone()[0] == 1
    assert con.execute("SELECT count(DISTINCT voc_id) FROM voc_keywords").fetchone()[0] == 5


def test_every_item_gets_a_topic(con, env):
    add(
        con,
        ("T1", "2025-05-01 10:00", "불만", "완료", "주차 요금 환불", None),
        ("T2", "2025-05-01 10:00", "칭찬", "완료", "좋은 하루", "즐거웠습니다"),
        ("T3", "2025-05-01 10:00", "문의", "완료", None, None),
    )
    text.enrich(con, env)
    assert topics(con, "T1") == {"주차", "요금·환불"}
    assert topics(con, "T2") == {text.NO_TOPIC}
    assert topics(con, "T3") == {text.NO_TOPIC}


def test_editing_the_topic_dictionary_retags_without_reanalysis(con, env):
    add(con, ("T1", "2025-05-01 10:00", "건의", "완료", "기념품 종류", "기념품 가게에 엽서가 없어요"))
    text.enrich(con, env)
    assert topics(con, "T1") == {text.NO_TOPIC}
    new_topics = {**env["text"]["topics"], "기념품": ["기념품", "엽서"]}
    edited = replace(env, raw={**env.raw, "text": {**env["text"], "topics": new_topics}})
    assert text.enrich(con, edited) == 0  # no text re-analysed
    assert topics(con, "T1") == {"기념품"}


def test_removed_items_lose_keywords_and_topics(con, env):
    add(con, ("R1", "2025-05-01 10:00", "불만", "완료", "주차 불편", "주차장"))
    text.enrich(con, env)
    con.execute("DELETE FROM voc_items WHERE voc_id = 'R1'")
    text.enrich(con, env)
    for table in ("voc_keywords", "voc_topics", "voc_text_state"):
        assert con.execute(f"SELECT count(*) FROM {table}").fetchone()[0] == 0


def test_the_kiwi_model_is_loaded_once_per_process(monkeypatch):
    import kiwipiepy

    loads = []

    class CountingKiwi(kiwipiepy.Kiwi):
        def __init__(self, *args, **kwargs):
            loads.append(1)
            super().__init__(*args, **kwargs)

    monkeypatch.setattr(kiwipiepy, "Kiwi", CountingKiwi)
    monkeypatch.setattr(text, "_kiwi", None)
    text.kiwi()
    text.kiwi()
    assert len(loads) == 1


def test_loader_enriches_after_load(env):
    from etl import voc as loader

    csv = (
        "접수번호,접수일시,유형,접수채널,처리부서,시설,처리상태,제목,내용,처리일시\n"
        "L1,2025-05-02 10:00,불만,홈페이지,관광사업팀,철로자전거,완료,주차장 부족,주차 공간이 없어요 010-1234-5678,"
        "2025-05-02 15:00\n"
    ).encode()
    report = loader.load(env.db_path, [("voc.csv", csv)], env)
    assert report.enriched == 1
    with db.session(env.db_path) as c:
        assert topics(c, "L1") == {"주차"}
        words = text.keywords_of(c, ["L1"])["L1"]
    assert "주차장" in words
    assert not any(ch.isdigit() for w in words for ch in w)  # the phone number was masked before analysis


def test_changed_scope_columns_are_copied_without_reanalysis(con, env):
    add(con, ("C1", "2025-05-01 10:00", "불만", "처리중", "주차 불편", "주차장이 좁아요"))
    text.enrich(con, env)
    con.execute("UPDATE voc_items SET department = '문화사업팀', completed_at = '2025-05-02 10:00'")
    assert text.enrich(con, env) == 0
    assert con.execute("SELECT DISTINCT department FROM voc_keywords").fetchall() == [("문화사업팀",)]
    row = con.execute("SELECT DISTINCT department, completed_at::VARCHAR FROM voc_topics").fetchall()
    assert row == [("문화사업팀", "2025-05-02 10:00:00")]


def test_progress_is_reported_per_batch(con, env, monkeypatch):
    add(con, *[(f"P{i}", "2025-05-01 10:00", "문의", "완료", f"주차 문의 {i}", "주차장") for i in range(3)])
    monkeypatch.setattr(text, "BATCH", 2)
    calls = []
    text.enrich(con, env, progress=lambda done, total: calls.append((done, total)))
    assert calls == [(2, 3), (3, 3)]


def test_pending_texts_are_distinct_and_uncached(con, env):
    add(
        con,
        ("U1", "2025-05-01 10:00", "문의", "완료", "예약", "예약 취소"),
        ("U2", "2025-05-01 10:00", "문의", "완료", "예약", "예약 취소"),
    )
    assert len(text.pending_texts(con, env)) == 1
    text.enrich(con, env)
    add(con, ("U3", "2025-05-02 10:00", "문의", "완료", "예약", "예약 취소"))  # same text: cached
    assert text.pending_texts(con, env).empty


def test_store_follows_items_changed_after_the_texts_were_read(con, env):
    add(
        con,
        ("S1", "2025-05-01 10:00", "불만", "완료", "환불 요청", "요금 환불"),
        ("S2", "2025-05-01 10:00", "불만", "완료", "주차 불편", "주차장"),
    )
    analysed = text.analyse(text.pending_texts(con, env), env)  # as enrich_path does, without the lock
    con.execute("UPDATE voc_items SET title = '화장실 청소', content = '화장실 청결' WHERE voc_id = 'S1'")
    con.execute("DELETE FROM voc_items WHERE voc_id = 'S2'")
    assert text.store(con, env, analysed) == 1
    assert (
        "화장실" in text.keywords_of(con, ["S1"])["S1"] and "환불" not in text.keywords_of(con, ["S1"])["S1"]
    )
    assert topics(con, "S1") == {"청결"} and topics(con, "S2") == set()


def test_enrich_path_matches_enrich(env):
    with db.session(env.db_path) as c:
        add(c, ("E1", "2025-05-01 10:00", "불만", "완료", "주차 불편", "주차장이 좁아요"))
    assert text.enrich_path(env.db_path, env) == 1
    with db.session(env.db_path) as c:
        assert topics(c, "E1") == {"주차"} and "주차장" in text.keywords_of(c, ["E1"])["E1"]
        assert text.enrich(c, env) == 0


def test_running_marker_while_enrich_path_analyses(env, tmp_path, monkeypatch):
    """Pages can tell an analysis is under way: the marker beside the database exists from the read to the
    write, counts the texts, and is gone afterwards."""
    import threading

    with db.session(env.db_path) as c:
        add(
            c,
            ("R1", "2025-05-01 10:00", "불만", "완료", "주차 불편", "주차장이 좁아요"),
            ("R2", "2025-05-01 10:00", "불만", "완료", "환불 요청", "요금 환불"),
        )
    monkeypatch.setenv("CCM_ENRICH_PAUSE", str(tmp_path))
    worker = threading.Thread(target=text.enrich_path, args=(env.db_path, env))
    worker.start()
    try:
        for _ in range(600):
            if (tmp_path / "started").exists():
                break
            threading.Event().wait(0.05)
        assert text.running(env.db_path) == {"done": 0, "total": 2}
        with db.session(env.db_path, wait_seconds=5) as c:  # the file is not held during the analysis
            assert c.execute("SELECT count(*) FROM voc_items").fetchone()[0] == 2
    finally:
        (tmp_path / "resume").touch()
        worker.join(60)
    assert text.running(env.db_path) is None and not text.running_marker(env.db_path).exists()


def test_a_stale_running_marker_is_ignored(env):
    import os
    import time

    marker = text.running_marker(env.db_path)
    marker.write_text('{"done": 1, "total": 9}', encoding="utf-8")
    assert text.running(env.db_path) == {"done": 1, "total": 9}
    old = time.time() - text.RUNNING_STALE - 60
    os.utime(marker, (old, old))
    assert text.running(env.db_path) is None
