"""The CLI loader runs while people use the dashboard: no errors reach a page, new data shows without a restart."""

import os
import re
import subprocess
import sys
import time

import pytest

from ccm.settings import ROOT
from etl import voc
from tests.support.overlapping_exports import EXPORT_A, many_rows, voc_csv

BIG = 4_000


def _received(at) -> str:
    return next(m.value for m in at.metric if m.label == "접수 VOC")


def test_cli_load_while_pages_are_viewed(app_test, env, tmp_path):
    """Pages are viewed while the loader runs, however fast the machine: it is held at its analysis stage
    (CCM_ENRICH_PAUSE) until two views have happened during that stage."""
    voc.load(env.db_path, [voc_csv(tmp_path, "a.csv", EXPORT_A)], env)
    big = voc_csv(tmp_path, "big.csv", many_rows("BIG", BIG))  # same month (2026-10) as export A
    at = app_test("pages/overview.py", role="분석").run()
    assert _received(at) == "3건"
    pause = tmp_path / "pause"
    pause.mkdir()
    proc = subprocess.Popen(
        [sys.executable, "-m", "etl", "voc", str(big)],
        cwd=ROOT,
        env={**os.environ, "CCM_ENRICH_PAUSE": str(pause)},
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        encoding="utf-8",
    )
    views_while_held, seen = 0, set()
    try:
        while views_while_held < 2:
            assert proc.poll() is None, proc.communicate()
            at.run()
            assert not at.exception and not at.error, (at.exception, at.error)
            seen.add(_received(at))
            views_while_held += (pause / "started").exists()
            time.sleep(0.2)
        (pause / "resume").touch()
        out, err = proc.communicate(timeout=120)
    finally:
        (pause / "resume").touch()
        proc.wait(timeout=120)
    assert proc.returncode == 0, err
    assert seen <= {"3건", f"{BIG + 3:,}건"}  # old or new data, never a half-written state
    at.run()
    assert not at.exception and _received(at) == f"{BIG + 3:,}건"


def test_database_opens_while_the_cli_analyses_texts(env, tmp_path):
    """The keyword analysis runs with the database unlocked; an item changed meanwhile keeps its new text's keywords."""
    from ccm import db, text

    rows = [
        f"AN-{i:05d},2026-10-12 10:{i % 60:02d},문의,홈페이지,관광사업팀,철로자전거,완료,"
        f"주차장 {i}번 문의,주차 요금 {i}원 환불 요청,2026-10-12 17:30"
        for i in range(300)
    ]
    path = voc_csv(tmp_path, "texts.csv", rows)
    pause = tmp_path / "pause"
    pause.mkdir()
    proc = subprocess.Popen(
        [sys.executable, "-m", "etl", "voc", str(path)],
        cwd=ROOT,
        env={**os.environ, "CCM_ENRICH_PAUSE": str(pause)},
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        encoding="utf-8",
    )
    try:
        while not (pause / "started").exists():
            assert proc.poll() is None, proc.communicate()
            time.sleep(0.05)
        with db.session(env.db_path, wait_seconds=3) as con:  # DatabaseBusy if the loader held the lock
            assert con.execute("SELECT count(*) FROM voc_items").fetchone()[0] == 300
            con.execute(
                "UPDATE voc_items SET title = '화장실 청소', content = '화장실 청결 불량' WHERE voc_id = 'AN-00007'"
            )
        (pause / "resume").touch()
        out, err = proc.communicate(timeout=120)
    finally:
        (pause / "resume").touch()
        proc.wait(timeout=120)
    assert proc.returncode == 0, err
    assert "키워드·주제 분석 중… 300/300건" in err
    with db.session(env.db_path) as con:
        kw = text.keywords_of(con, ["AN-00007", "AN-00008"])
        assert "화장실" in kw["AN-00007"] and "주차" not in kw["AN-00007"]
        assert "주차" in kw["AN-00008"]
        assert text.enrich(con, env) == 0  # nothing left pending


def _set_idle(env, seconds: float) -> None:
    text_ = re.sub(
        r"pool_idle_seconds = [0-9.]+",
        f"pool_idle_seconds = {seconds}",
        env.path.read_text(encoding="utf-8"),
        count=1,
    )
    env.path.write_text(text_, encoding="utf-8")


def _files(path):
    return [(p.name, p.stat().st_mtime_ns) for p in (path, path.with_name(path.name + ".wal")) if p.exists()]


def test_a_page_view_opens_the_database_once(app_test, demo_env):
    from ui import data

    _set_idle(demo_env, 60)
    opened_before = data.pool_state(demo_env.db_path)[1]
    at = app_test("pages/trends.py", role="분석").run()
    assert not at.exception
    assert data.pool_state(demo_env.db_path) == (True, opened_before + 1)  # many queries, one connection
    data.close_pool()
    assert data.pool_state(demo_env.db_path)[0] is False


def test_page_views_leave_the_database_files_unchanged(app_test, demo_env):
    from ui import data

    _set_idle(demo_env, 60)
    views = [app_test(page, role="분석") for page in ("pages/trends.py", "pages/sla.py", "pages/overview.py")]
    before = _files(demo_env.db_path)  # after signing the test user in (which writes)
    for at in views:
        assert not at.run().exception
    data.close_pool()
    assert _files(demo_env.db_path) == before


def test_the_dashboard_releases_the_database_when_idle(app_test, demo_env):
    from ui import data

    _set_idle(demo_env, 0.2)
    assert not app_test("pages/sla.py", role="분석").run().exception
    deadline = time.monotonic() + 30
    while data.pool_state(demo_env.db_path)[0] and time.monotonic() < deadline:
        time.sleep(0.05)
    probe = subprocess.run(
        [
            sys.executable,
            "-c",
            "import sys; from ccm import db; db.connect(sys.argv[1], wait_seconds=1).close()",
            str(demo_env.db_path),
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert probe.returncode == 0, probe.stderr


class _RerunOnExit:
    """st.spinner as it behaves when the browser asked for a rerun while the script waited in it:
    leaving it sends a message, and Streamlit raises the rerun there."""

    def __init__(self, *args, **kwargs):
        pass

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        from streamlit.runtime.scriptrunner_utils.exceptions import RerunException

        raise RerunException(None)


def test_a_rerun_while_waiting_for_the_database_does_not_keep_it_locked(demo_env, monkeypatch):
    from streamlit.runtime.scriptrunner_utils.exceptions import RerunException

    from ui import data

    _set_idle(demo_env, 0.2)
    monkeypatch.setattr(data.st, "spinner", _RerunOnExit)
    with pytest.raises(RerunException), data.connection():
        pass
    deadline = time.monotonic() + 30
    while data.pool_state(demo_env.db_path)[0] and time.monotonic() < deadline:
        time.sleep(0.05)
    assert data.pool_state(demo_env.db_path)[0] is False
