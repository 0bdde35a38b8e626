"""The VOC loader end to end through the CLI: exit codes, rejects, upsert semantics, all-or-nothing."""

from pathlib import Path

import pandas as pd
import pytest

from ccm import db
from etl import voc
from etl.__main__ import main
from tests.support.voc_files import row, state, write_csv, write_xlsx


def items(db_path: Path) -> pd.DataFrame:
    with db.session(db_path) as con:
        return con.execute("SELECT * FROM voc ORDER BY voc_id").df()


def batches(db_path: Path) -> pd.DataFrame:
    with db.session(db_path) as con:
        return con.execute("SELECT * FROM load_batches ORDER BY batch_id").df()


def cli(*args) -> int:
    return main(["voc", *map(str, args)])


def test_clean_file_loads_with_exit_0(tmp_path, db_path):
    path = write_csv(
        tmp_path / "a.csv", [row("V1"), row("V2", voc_type="질의", status="진행중", completed="")]
    )
    assert cli(path) == 0
    df = items(db_path)
    assert df["voc_id"].tolist() == ["V1", "V2"]
    assert df["voc_type"].tolist() == ["불만", "문의"]
    assert df["status"].tolist() == ["완료", "처리중"]
    assert df.loc[0, "department"] == "단산시설팀"  # from the facility mapping
    assert df.loc[0, "work_minutes"] == 240  # 10-15h less lunch and bool(df.loc[0, "sla_met"])
    assert pd.isna(df.loc[1, "work_minutes"]) and pd.isna(df.loc[1, "sla_met"])
    b = batches(db_path).iloc[0]
    assert (b["kind"], b["rows_read"], b["rows_inserted"], b["rows_rejected"]) == ("voc", 2, 2, 0)
    assert len(b["sha256"]) == 64


def test_bad_rows_are_rejected_with_file_row_column_value_and_reason(tmp_path, db_path, capsys):
    rows = [
        row("V1"),
        row("V2", completed="2025-03-03 09:00"),
        row("V3", voc_type="몰라요"),
        row("V4", received="어제"),
    ]
    path = write_csv(tmp_path / "a.csv", rows, encoding="cp949", titles=["VOC 현황"])
    assert cli(path) == 1
    out = capsys.readouterr().out
    assert "a.csv 4행 [처리일시] '2025-03-03 09:00': 처리일시가 접수일시보다 빠릅니다" in out
    assert "a.csv 5행 [유형] '몰라요': 알 수 없는 유형" in out
    assert "a.csv 6행 [접수일시] '어제'" in out
    assert items(db_path)["voc_id"].tolist() == ["V1"]
    rejects = pd.read_csv(tmp_path / "a_오류.csv", dtype=str, encoding="utf-8-sig")
    assert rejects["접수번호"].tolist() == ["V2", "V3", "V4"]
    assert "처리일시가 접수일시보다 빠릅니다" in rejects.loc[0, "오류"]


def test_fixed_rejects_file_loads_again(tmp_path, db_path):
    path = write_csv(tmp_path / "a.csv", [row("V1"), row("V2", voc_type="몰라요")])
    assert cli(path) == 1
    fixed = tmp_path / "a_오류.csv"
    fixed.write_text(fixed.read_text(encoding="utf-8-sig").replace("몰라요", "건의"), encoding="utf-8-sig")
    assert cli(fixed) == 0  # the 오류 column is ignored
    assert items(db_path).set_index("voc_id").loc["V2", "voc_type"] == "건의"


def test_unusable_file_exits_2_and_writes_nothing(tmp_path, db_path, capsys):
    good = write_csv(tmp_path / "good.csv", [row("V1")])
    bad = write_csv(tmp_path / "bad.csv", [["x", "y"]], header=["이름", "메모"])
    assert cli(good, bad) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "bad.csv" in err and "필수 열" in err
    assert items(db_path).empty and batches(db_path).empty


def test_strict_loads_nothing_when_one_row_is_bad(tmp_path, db_path):
    path = write_csv(tmp_path / "a.csv", [row("V1"), row("V2", voc_type="몰라요")])
    assert cli(path, "--strict") == 1
    assert items(db_path).empty and batches(db_path).empty


def test_same_file_twice_changes_nothing(tmp_path, db_path):
    path = write_csv(tmp_path / "a.csv", [row("V1"), row("V2", status="접수", completed="")])
    assert cli(path) == 0
    before = state(db_path)
    assert cli(path) == 0
    assert state(db_path) == before
    b = batches(db_path).iloc[1]
    assert (b["rows_inserted"], b["rows_updated"], b["rows_unchanged"]) == (0, 0, 2)


def test_later_export_updates_status_and_keeps_replaced_version(tmp_path, db_path):
    old = write_csv(tmp_path / "1.csv", [row("V1", status="처리중", completed="")])
    new = write_csv(tmp_path / "2.csv", [row("V1", status="처리완료", completed="2025-03-05 11:00")])
    assert cli(old) == 0 and cli(new) == 0
    item = items(db_path).iloc[0]
    assert item["status"] == "완료" and item["completed_at"] == pd.Timestamp("2025-03-05 11:00")
    with db.session(db_path) as con:
        replaced = con.execute("SELECT status, replaced_by_batch FROM voc_items_replaced").fetchall()
    assert replaced == [("처리중", 2)]
    assert batches(db_path).iloc[1]["rows_updated"] == 1


def test_older_export_never_reopens_a_closed_item(tmp_path, db_path):
    old = write_csv(tmp_path / "1.csv", [row("V1", status="처리중", completed="")])
    new = write_csv(tmp_path / "2.csv", [row("V1")])
    assert cli(new) == 0
    before = state(db_path)
    assert cli(old) == 0
    assert state(db_path) == before
    assert batches(db_path).iloc[1]["rows_unchanged"] == 1


def test_duplicate_voc_id_in_one_file_keeps_most_advanced_row(tmp_path, db_path, capsys):
    path = write_csv(tmp_path / "a.csv", [row("V1", status="완료"), row("V1", status="접수", completed="")])
    assert cli(path) == 0
    assert "같은 접수번호" in capsys.readouterr().out
    assert items(db_path)["status"].tolist() == ["완료"]


def test_status_done_without_completion_time_is_stored_closed_or_rejected_with_strict(tmp_path, db_path):
    path = write_csv(tmp_path / "a.csv", [row("V1", status="처리완료", completed="")])
    assert cli(path, "--strict") == 1
    assert items(db_path).empty
    assert cli(path) == 0
    got = items(db_path).iloc[0]
    assert got["status"] == "완료" and pd.isna(got["completed_at"]) and pd.isna(got["sla_met"])


def test_mapping_file_maps_headers_and_values_and_unknown_channels_are_kept(tmp_path, db_path, capsys):
    header = ["민원 접수 No", "접수 일시", "민원 분류", "경로", "시설"]
    path = write_csv(
        tmp_path / "a.csv", [["N1", "2025-03-04 10:00", "기타불편", "앱", "레일바이크"]], header=header
    )
    mapping = tmp_path / "map.toml"
    mapping.write_text(
        '[columns]\n"민원 접수 No" = "voc_id"\n"민원 분류" = "voc_type"\n'
        '[values.voc_type]\n"기타불편" = "불만"\n',
        encoding="utf-8",
    )
    assert cli(path, "--mapping", mapping) == 0
    item = items(db_path).iloc[0]
    assert (item["voc_id"], item["voc_type"], item["channel"], item["facility"]) == (
        "N1",
        "불만",
        "앱",
        "철로자전거",
    )
    assert (
        "설정에 없는 접수채널 값은 그대로 저장했습니다(화면에서는 '미등록'): 앱(1건)"
        in capsys.readouterr().out
    )
    assert '"unknown_values": {"channel": {"앱": 1}}' in batches(db_path).iloc[0]["detail"]


def test_bad_mapping_file_exits_2(tmp_path, db_path):
    path = write_csv(tmp_path / "a.csv", [row("V1")])
    mapping = tmp_path / "map.toml"
    mapping.write_text('[columns]\n"번호" = "nonsense"\n', encoding="utf-8")
    assert cli(path, "--mapping", mapping) == 2


def test_split_date_time_columns_and_xlsx(tmp_path, db_path):
    header = ["민원번호", "신청일", "신청시간", "민원유형", "답변일시"]
    path = write_xlsx(
        tmp_path / "a.xlsx",
        [["M1", "2025-03-07", "17:30", "문의", "2025/3/10 오전 9:30:00"]],
        header=header,
        titles=["내보내기"],
    )
    assert cli(path) == 0
    item = items(db_path).iloc[0]
    assert item["received_at"] == pd.Timestamp("2025-03-07 17:30")
    assert item["work_minutes"] == 60  # Friday 17:30-18:00 + Monday 09:00-09:30


def test_failure_while_storing_leaves_the_database_as_it_was(tmp_path, db_path, env):
    assert cli(write_csv(tmp_path / "a.csv", [row("V1")])) == 0
    before = state(db_path)
    p1 = voc.prepare(write_csv(tmp_path / "b.csv", [row("V2")]), env)
    p2 = voc.prepare(write_csv(tmp_path / "c.csv", [row("V3"), row("V4")]), env)
    p2.normalised.loc[1, "voc_id"] = "V3"  # two inserts of one key: the store fails half-way
    with pytest.raises(ValueError, match="접수번호 V3의 행이 둘 이상"):
        voc.load(db_path, [], env, prepared=[p1, p2])
    assert state(db_path) == before
    assert len(batches(db_path)) == 1


def test_voc_id_stays_unique_when_two_sessions_load_overlapping_exports_at_once(tmp_path, db_path, env):
    """No primary key on voc_items: the loader alone keeps 접수번호 unique, also for two uploads at once."""
    from concurrent.futures import ThreadPoolExecutor

    from ccm.settings import load_settings

    settings = load_settings()
    rows = [row(f"V{i}") for i in range(300)]
    files = [write_csv(tmp_path / f"{k}.csv", rows[k * 100 : k * 100 + 200]) for k in range(2)]
    with ThreadPoolExecutor(max_workers=2) as pool:
        reports = list(pool.map(lambda f: voc.load(db_path, [f], settings, enrich=False), files))
    assert sorted(r.batches[0].inserted for r in reports) == [100, 200]
    with db.session(db_path) as con:
        assert con.execute("SELECT count(*), count(DISTINCT voc_id) FROM voc_items").fetchone() == (300, 300)


def test_cli_releases_the_rows_once_stored_but_keeps_the_counts(tmp_path, db_path, env):
    path = write_csv(tmp_path / "a.csv", [row("V1"), row("V2", voc_type="모름")])
    report = voc.load(db_path, [path], env, rejects_dir=tmp_path, enrich=False, keep_rows=False)
    prep = report.prepared[0]
    assert prep.table.df.empty and prep.normalised.empty  # nothing large held for the analysis
    assert (prep.rows_read, prep.rows_kept, prep.rows_rejected) == (2, 1, 1)
    assert (tmp_path / "a_오류.csv").exists()  # written before the rows were released
    with pytest.raises(RuntimeError):
        prep.rejected_rows()
