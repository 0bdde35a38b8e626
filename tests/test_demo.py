"""The demo VOC: realistic, deterministic, and loaded through the real loader."""

import json
from datetime import datetime

import duckdb
import pytest

from ccm.settings import load_settings
from etl import demo_voc
from tests.support.constants import NOW


@pytest.fixture(scope="module")
def con(demo_db):
    c = duckdb.connect(str(demo_db), read_only=True)
    yield c
    c.close()


def one(con, sql: str, *params):
    return con.execute(sql, list(params)).fetchone()[0]


def test_three_years_at_a_realistic_volume(con):
    first, last = con.execute("SELECT min(received_at), max(received_at) FROM voc").fetchone()
    assert (last - first).days > 3 * 365 - 40 and last <= datetime.fromisoformat(NOW)
    per_year = one(con, "SELECT count(*) FROM voc WHERE received_at >= ?::TIMESTAMP - INTERVAL 1 YEAR", NOW)
    assert 8_000 <= per_year <= 15_000


def test_loaded_as_three_export_batches_through_the_loader(con):
    rows = con.execute(
        "SELECT file_name, detail FROM load_batches WHERE kind = 'voc' ORDER BY batch_id"
    ).fetchall()
    assert [r[0] for r in rows] == ["voc_export_1_cp949.csv", "voc_export_2_utf8bom.csv", "voc_export_3.xlsx"]
    details = [json.loads(r[1]) for r in rows]
    assert [d["encoding"] for d in details] == ["cp949", "utf-8-sig", None]
    assert details[0]["header_row"] == 4 and details[0]["rejects_by_reason"]  # title rows and a few bad rows
    assert (
        one(con, "SELECT sum(rows_updated) FROM load_batches WHERE kind = 'voc'") > 100
    )  # later exports closed items


def test_seasonality_summer_camping_and_every_facility(con):
    by_month = dict(con.execute("SELECT month(received_at), count(*) FROM voc GROUP BY 1").fetchall())
    assert by_month[10] > 1.8 * by_month[1] and by_month[5] > 1.8 * by_month[2]
    camping = dict(
        con.execute("""SELECT month(received_at), count(*) FROM voc
                                   WHERE facility = '국민여가캠핑장' GROUP BY 1""").fetchall()
    )
    assert camping[8] > 2 * camping[2]
    settings = load_settings()
    assert set(settings.facilities) <= {
        r[0] for r in con.execute("SELECT DISTINCT facility FROM voc").fetchall()
    }


def test_type_mix_late_open_and_overdue_items(con):
    types = {r[0] for r in con.execute("SELECT DISTINCT voc_type FROM voc").fetchall()}
    assert types == {"문의", "불만", "칭찬", "건의", "유실물신고", "긴급요청", "고충"}
    compliance = one(con, "SELECT avg(sla_met::INT) FROM voc")
    assert 0.8 < compliance < 0.97
    assert one(con, "SELECT count(*) FROM voc WHERE completed_at IS NULL AND due_at < ?", NOW) >= 5
    assert one(con, "SELECT count(*) FROM voc WHERE completed_at IS NULL AND due_at >= ?", NOW) >= 5


def test_texts_carry_topics_and_masked_personal_data(con):
    assert one(con, "SELECT count(*) FROM voc WHERE content LIKE '%주차%'") > 500
    assert one(con, "SELECT count(*) FROM voc WHERE content LIKE '%[전화번호]%'") > 50
    assert one(con, "SELECT count(*) FROM voc WHERE regexp_matches(content, '010-\\d{4}-\\d{4}')") == 0
    assert one(con, "SELECT count(*) FROM voc WHERE content LIKE '저는 [이름]입니다.%'") > 50
    assert one(con, "SELECT count(*) FROM voc WHERE regexp_matches(content, '^저는 [가-힣]{2,4}입니다')") == 0
    repeat = one(con, "SELECT count(*) FROM (SELECT customer_key FROM voc GROUP BY 1 HAVING count(*) > 1)")
    assert repeat > 100


def test_generation_is_deterministic():
    settings = load_settings()
    now = datetime(2025, 6, 30, 12, 0)
    a, b = demo_voc.generate(settings, now), demo_voc.generate(settings, now)
    assert a.equals(b)
    assert a["received_at"].max() < now
