"""Query results and tables shared by every session of a server (ui.memo, ui.data.run, ui.components)."""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass
from datetime import datetime

import pandas as pd
import pytest

from ccm.settings import Settings
from ui import components, data
from ui.memo import Shared, key_of, private_copy


@dataclass(frozen=True)
class Result:
    table: pd.DataFrame
    notes: list


def _digests() -> dict:
    return {pd.DataFrame: data.frame_digest}


def test_a_changed_copy_leaves_the_shared_frame_alone() -> None:
    shared = pd.DataFrame({"부서": ["관광사업팀", "시설팀"], "건수": [3, 4]})
    mine = private_copy(shared)
    mine.loc[0, "건수"] = 99
    mine["새 열"] = 1
    assert shared.to_dict("list") == {"부서": ["관광사업팀", "시설팀"], "건수": [3, 4]}


def test_containers_and_dataclasses_are_copied_around_their_frames() -> None:
    shared = {"rows": [Result(pd.DataFrame({"x": [1]}), ["가"])]}
    mine = private_copy(shared)
    mine["rows"][0].table.loc[0, "x"] = 2
    mine["rows"][0].notes.append("나")
    mine["rows"].append("다")
    assert shared["rows"][0].table["x"].tolist() == [1]
    assert shared["rows"][0].notes == ["가"]
    assert len(shared["rows"]) == 1


def test_one_computation_per_key_however_many_sessions_ask() -> None:
    cache, calls, results = Shared(10), [], []

    def slow() -> int:
        calls.append(1)
        time.sleep(0.2)
        return 42

    threads = [threading.Thread(target=lambda: results.append(cache.get("k", slow))) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert results == [42] * 8
    assert len(calls) == 1


def test_a_failed_computation_is_not_kept() -> None:
    cache = Shared(10)
    with pytest.raises(ZeroDivisionError):
        cache.get("k", lambda: 1 / 0)
    assert cache.get("k", lambda: 7) == 7


def test_a_newer_data_version_drops_the_older_results_of_that_database() -> None:
    cache = Shared(10)
    cache.get(("q", 1), lambda: "old", version=("a.duckdb", 1, 0))
    cache.get(("q", 9), lambda: "other", version=("b.duckdb", 1, 0))
    cache.get(("q", 2), lambda: "new", version=("a.duckdb", 2, 0))
    assert len(cache) == 2
    assert cache.get(("q", 1), lambda: "again", version=("a.duckdb", 1, 0)) == "again"


def test_the_least_recently_used_result_goes_first() -> None:
    cache = Shared(2)
    cache.get("a", lambda: 1)
    cache.get("b", lambda: 2)
    cache.get("a", lambda: 0)  # used again
    cache.get("c", lambda: 3)
    assert cache.get("a", lambda: -1) == 1
    assert cache.get("b", lambda: -2) == -2


def test_keys_tell_types_and_frame_contents_apart() -> None:
    keys = {key_of(v, _digests()) for v in (1, 1.0, True, "1")}
    assert len(keys) == 4
    a = pd.DataFrame({"x": pd.array(["가", None], dtype="str")})
    b = pd.DataFrame({"x": pd.array(["가", "나"], dtype="str")})
    assert key_of(a, _digests()) != key_of(b, _digests())
    assert key_of(a, _digests()) == key_of(a.copy(), _digests())


def test_frame_digest_reads_arrow_columns_from_their_first_value() -> None:
    whole = pd.DataFrame({"x": pd.array(["버림", "가", "나"], dtype="str")})
    sliced = whole.iloc[1:].reset_index(drop=True)
    fresh = pd.DataFrame({"x": pd.array(["가", "나"], dtype="str")})
    assert data.frame_digest(sliced) == data.frame_digest(fresh)
    assert data.frame_digest(whole) != data.frame_digest(fresh)


def _departments(con) -> pd.DataFrame:
    return con.execute("SELECT DISTINCT department FROM voc_items ORDER BY 1").df()


def test_a_page_changing_its_query_result_does_not_change_the_next_sessions(demo_env: Settings) -> None:
    first = data.run(_departments)
    first.loc[0, "department"] = "바뀐 부서"
    second = data.run(_departments)
    assert second.loc[0, "department"] != "바뀐 부서"
    assert second.equals(data.run(_departments))


def test_a_write_to_the_database_brings_fresh_results(demo_env: Settings) -> None:
    from ccm import db

    assert "새로 생긴 부서" not in data.run(_departments)["department"].tolist()
    with db.session(demo_env.db_path) as con:
        con.execute("UPDATE voc_items SET department = '새로 생긴 부서' WHERE rowid = 0")
    assert "새로 생긴 부서" in data.run(_departments)["department"].tolist()


def test_a_table_is_prepared_once_and_each_draw_gets_its_own_copy() -> None:
    df = pd.DataFrame({"준수율": [0.91, 0.5], "부서": ["가", "나"]})
    one, config = components._display(df, None)
    two, _ = components._display(df.copy(), None)
    one["부서"] = "바뀜"
    config.clear()
    assert two["부서"].tolist() == ["가", "나"]
    assert components._display(df, None)[1]


def _counted(calls: list):
    def departments(con) -> pd.DataFrame:
        calls.append(1)
        return _departments(con)

    departments.__qualname__ = f"departments_{id(calls)}"
    return departments


def _new_session(settings: Settings) -> str:
    from ccm import auth

    with data.bookkeeping() as con:
        auth.create_user(con, "kim", "분석", None, "password-123456", settings=settings)
    with data.bookkeeping() as con:
        return auth.create_session(con, "kim", datetime(2026, 11, 25, 10), settings)


def test_a_sign_in_leaves_every_shared_result_in_place(demo_env: Settings) -> None:
    from ccm import auth

    calls: list = []
    query = _counted(calls)
    data.run(query)
    stamps, content = data.data_version(), data.content_version()
    token = _new_session(demo_env)
    assert data.data_version() != stamps
    assert data.content_version() == content
    data.run_current(auth.find_session, auth.token_hash(token, demo_env.secret_key()))  # the sign-in check
    data.run(query)
    assert len(calls) == 1


def test_any_other_write_brings_fresh_results(demo_env: Settings) -> None:
    calls: list = []
    query = _counted(calls)
    data.run(query)
    with data.connection() as con:
        con.execute("UPDATE voc_items SET department = department || '팀' WHERE rowid = 0")
    data.run(query)
    assert len(calls) == 2


def test_a_sign_in_while_another_connection_may_write_empties_the_shared_results(demo_env: Settings) -> None:
    from ccm import db

    calls: list = []
    query = _counted(calls)
    data.run(query)
    content = data.content_version()
    with db.session(demo_env.db_path):  # e.g. an upload in another session, still open
        _new_session(demo_env)
    assert data.content_version() != content
    data.run(query)
    assert len(calls) == 2


def test_a_logout_is_seen_at_once_by_the_sign_in_check(demo_env: Settings) -> None:
    from ccm import auth

    token = _new_session(demo_env)
    digest = auth.token_hash(token, demo_env.secret_key())
    assert data.run_current(auth.find_session, digest).revoked_at is None
    with data.bookkeeping() as con:
        auth.revoke_session(con, digest, datetime(2026, 11, 25, 11), "logout")
    assert data.run_current(auth.find_session, digest).revoked_at is not None


def test_sessions_reading_while_a_sign_in_is_written_keep_their_results(demo_env: Settings) -> None:
    from ccm import auth

    calls: list = []
    query = _counted(calls)
    data.run(query)
    with data.bookkeeping() as con:
        auth.create_user(con, "lee", "분석", None, "password-123456", settings=demo_env)
        data.run(query)  # another session's page, between the write and its end
    data.run(query)
    assert len(calls) == 1
