"""The CLI loader runs while people use the dashboard: no errors reach a page, new data shows without a restart."""
import subprocess
import sys
import time

from ccm.settings import ROOT
from etl import voc
from h7_files import EXPORT_A, many_rows, voc_csv

BIG = 4_000


def _received(at) -> str:
    return next(m.value for m in at.metric if m.label == "접수 VOC")


def test_cli_load_while_pages_are_viewed(app_test, env, tmp_path):
    voc.load(env.db_path, [voc_csv(tmp_path, "a.csv", EXPORT_A)], env)
    big = voc_csv(tmp_path, "big.csv", many_rows("BIG", BIG))  # same month (2026-10) as export A
    at = app_test("pages/overview.py", role="분석").run()
    assert _received(at) == "3건"
    proc = subprocess.Popen([sys.executable, "-m", "etl", "voc", str(big)], cwd=ROOT,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, encoding="utf-8")
    views_during_load, seen = 0, set()
    try:
        while proc.poll() is None:
            at.run()
            assert not at.exception and not at.error, (at.exception, at.error)
            seen.add(_received(at))
            views_during_load += proc.poll() is None
            time.sleep(0.2)
    finally:
        out, err = proc.communicate(timeout=120)
    assert proc.returncode == 0, err
    assert views_during_load >= 2, "the load finished before pages could be viewed during it"
    assert seen <= {"3건", f"{BIG + 3:,}건"}  # old or new data, never a half-written state
    at.run()
    assert not at.exception and _received(at) == f"{BIG + 3:,}건"
