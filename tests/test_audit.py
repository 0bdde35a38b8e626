"""Audit log: entries, filters, and item-level downloads recorded through ui.components."""

from datetime import date, datetime, timedelta

import pytest

from ccm import audit, db

PAGE = """
import pandas as pd
from ui.bootstrap import setup
from ui.components import table
ctx = setup("t", filters=False)
table(pd.DataFrame({"접수번호": ["A1", "A2"], "제목": ["주차 문의", "환불"]}), "VOC 목록", key="items")
table(pd.DataFrame({"부서": ["관광사업팀"], "건수": [3]}), "부서별 건수", key="agg")
"""


@pytest.fixture
def con(env):
    with db.session(env.db_path) as c:
        yield c


def test_query_filters_by_period_action_and_user(con):
    day = datetime(2026, 3, 5, 10, 0)
    audit.record(con, "kim", "login", "", at=day)
    audit.record(con, "lee", "login", "", at=day + timedelta(days=1))
    audit.record(con, "kim", "export", "VOC 목록 (2행, CSV)", at=day + timedelta(days=2))
    assert len(audit.query(con, date(2026, 3, 5), date(2026, 3, 6))) == 2
    assert audit.query(con, actions=("export",))["작업"].tolist() == ["항목 단위 내려받기"]
    assert audit.query(con, username="kim")["일시"].tolist() == [day + timedelta(days=2), day]


def _page(app_test, tmp_path):
    path = tmp_path / "audited_page.py"
    path.write_text(PAGE, encoding="utf-8")
    return app_test(str(path), role="분석").run()


def test_downloading_an_item_level_table_is_audited(app_test, env, tmp_path):
    at = _page(app_test, tmp_path)
    at.get("download_button")[1].click().run()  # Excel of the VOC list
    assert not at.exception
    with db.session(env.db_path) as c:
        log = audit.query(c, actions=("export",))
    assert log[["사용자", "상세"]].values.tolist() == [["test-분석", "VOC 목록 (2행, Excel)"]]


def test_downloading_an_aggregate_table_is_not_audited(app_test, env, tmp_path):
    at = _page(app_test, tmp_path)
    at.get("download_button")[2].click().run()  # CSV of the department counts
    with db.session(env.db_path) as c:
        assert audit.query(c, actions=("export",)).empty


def test_voc_upload_in_the_page_is_audited(app_test, env, tmp_path):
    from tests.support.overlapping_exports import EXPORT_A, voc_csv

    path = voc_csv(tmp_path, "a.csv", EXPORT_A)
    at = app_test("pages/upload.py", role="분석").run()
    next(u for u in at.file_uploader if u.key == "voc_up_file").set_value(
        (path.name, path.read_bytes(), "text/csv")
    )
    at.run().button(key="voc_up_load").click().run()
    assert not at.exception
    with db.session(env.db_path) as c:
        log = audit.query(c, actions=("upload",))
    assert log["사용자"].tolist() == ["test-분석"]
    assert log["상세"].iloc[0].startswith("VOC: a.csv 배치 1 추가 3")
