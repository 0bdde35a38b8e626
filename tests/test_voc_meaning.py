"""Issue 11 in the VOC loader: headers by meaning, file-level diagnosis, [defaults], checked targets,
closed without a time, counts that add up, older exports, screened unknown values."""

from pathlib import Path

import pandas as pd
import pytest

from ccm import db
from ccm import voc_analytics as va
from ccm.period import Scope
from etl import mapping as mp
from etl import voc
from etl.headers import classify
from etl.readers import ReadError
from tests.support.voc_files import write_csv


def items(db_path: Path) -> pd.DataFrame:
    with db.session(db_path) as con:
        return con.execute("SELECT * FROM voc_items ORDER BY voc_id").df()


@pytest.mark.parametrize(
    "header, field",
    [
        ("답변완료일자", "completed_at"),
        ("처리 종결 일시", "completed_at"),
        ("최종처리일", "completed_at"),
        ("[처리]완료 일시(YYYY-MM-DD)", "completed_at"),
        ("민원 접수 등록일", "received_at"),
        ("신청 일자", "received_at"),
        ("Created Date", "received_at"),
        ("Closed Date", "completed_at"),
        ("created_at", "received_at"),
        ("Unique Key", "voc_id"),
        ("민원 접수 No", "voc_id"),
        ("Complaint Type", "voc_type"),
        ("민원 구분", "voc_type"),
        ("Status", "status"),
        ("진행 현황", "status"),
        ("Agency", "department"),
        ("처리 담당 부서명", "department"),
        ("Descriptor", "title"),
        ("Resolution Description", "answer"),
        ("조치 내용", "answer"),
        ("민원 내용", "content"),
        ("이용 시설명", "facility"),
        ("접수 경로", "channel"),
        ("Open Data Channel Type", "channel"),
        ("접수 시각", "received_time"),
    ],
)
def test_header_understood_from_its_parts(header, field):
    assert classify(header)[0] == field


@pytest.mark.parametrize(
    "header",
    [
        "처리기한",
        "Due Date",
        "Resolution Action Updated Date",
        "Location Type",
        "성별 구분",
        "담당자 메일",
        "처리 예정일",
        "Incident Zip",
    ],
)
def test_header_that_names_no_voc_field(header):
    assert classify(header) is None


HEADER = ["No", "민원 접수 번호", "등록 일시", "민원 유형", "처리 상태", "답변완료일자", "제목"]


def compound_row(no: int, vid: str, status: str = "답변완료", done: str = "2025-03-05 11:00") -> list:
    return [no, vid, "2025-03-04 10:00", "불편", status, done, "주차장 문의"]


def test_compound_headers_load_without_a_mapping(tmp_path, env):
    path = write_csv(tmp_path / "a.csv", [compound_row(i, f"M-{i}") for i in (1, 2, 3)], header=HEADER)
    prep = voc.prepare(path, env)
    assert prep.plan.fields["voc_id"] == "민원 접수 번호"  # not the running number
    assert prep.plan.fields["completed_at"] == "답변완료일자"
    assert prep.rows_rejected == 0 and prep.rows_kept == 3
    assert any("순번" in n for n in prep.plan.notes)


def test_running_number_is_the_id_when_nothing_else_is(tmp_path, env):
    rows = [[i, "2025-03-04 10:00", "불만"] for i in (1, 2, 3)]
    prep = voc.prepare(write_csv(tmp_path / "a.csv", rows, header=["번호", "접수일시", "유형"]), env)
    assert prep.plan.fields["voc_id"] == "번호" and prep.rows_kept == 3


def test_missing_type_is_one_file_error_with_the_fix(tmp_path, env):
    rows = [["A1", "2025-03-04 10:00", "x"], ["A2", "2025-03-04 11:00", "y"]]
    with pytest.raises(ReadError) as exc:
        voc.prepare(write_csv(tmp_path / "a.csv", rows, header=["접수번호", "접수일시", "비고"]), env)
    msg = str(exc.value)
    assert "유형" in msg and "[defaults] voc_type" in msg and "비고" in msg and "\n" not in msg


def test_missing_date_names_the_date_like_column(tmp_path, env):
    rows = [["A1", "2025-03-04 10:00", "불만"], ["A2", "2025-03-05 11:00", "문의"]]
    with pytest.raises(ReadError) as exc:
        voc.prepare(write_csv(tmp_path / "a.csv", rows, header=["접수번호", "언제", "유형"]), env)
    assert "후보 '언제'" in str(exc.value) and '[columns] "언제" = "received_at"' in str(exc.value)


def test_defaults_set_a_constant_for_a_missing_field(tmp_path, env):
    rows = [["A1", "2025-03-04 10:00"], ["A2", "2025-03-05 11:00"]]
    mapping = mp.parse_mapping('[defaults]\nvoc_type = "불만"\nchannel = "홈페이지"', "m.toml", env)
    prep = voc.prepare(write_csv(tmp_path / "a.csv", rows, header=["접수번호", "접수일시"]), env, mapping)
    assert prep.items["voc_type"].tolist() == ["불만", "불만"]
    assert prep.items["channel"].tolist() == ["홈페이지", "홈페이지"]
    assert prep.items["deadline_minutes"].tolist() == [16 * 60, 16 * 60]  # 불만: 2 business days


@pytest.mark.parametrize(
    "text, value",
    [
        ('[values.voc_type]\n"소음" = "소음불만"', "소음불만"),
        ('[values.status]\n"열림" = "열림"', "열림"),
        ('[defaults]\nvoc_type = "민원"', "민원"),
    ],
)
def test_target_outside_the_standard_lists_stops_the_file(env, text, value):
    with pytest.raises(ReadError) as exc:
        mp.parse_mapping(text, "m.toml", env)
    assert value in str(exc.value) and "가능한 값" in str(exc.value)


@pytest.mark.parametrize(
    "text",
    [
        "columns = 3",
        '[values]\nvoc_type = "x"',
        'defaults = ["불만"]',
        '[columns]\n"a" = 1',
        "[other]\nx = 1",
        '[formats]\nvoc_type = "%Y"',
    ],
)
def test_mapping_of_the_wrong_structure_is_a_read_error(text):
    with pytest.raises(ReadError):
        mp.parse_mapping(text, "m.toml")


def closed_rows() -> list[list]:
    return [
        compound_row(1, "C1"),
        compound_row(2, "C2", done=""),
        compound_row(3, "C3", status="처리중", done=""),
    ]


def test_closed_without_time_is_stored_closed_and_undecided(tmp_path, env):
    report = voc.load(
        env.db_path, [write_csv(tmp_path / "a.csv", closed_rows(), header=HEADER)], env, enrich=False
    )
    assert report.batches[0].rejected == 0 and report.batches[0].closed_without_time == 1
    df = items(env.db_path).set_index("voc_id")
    assert (
        df.loc["C2", "status"] == "완료"
        and pd.isna(df.loc["C2", "completed_at"])
        and pd.isna(df.loc["C2", "sla_met"])
    )
    scope = Scope(pd.Timestamp("2025-01-01").date(), pd.Timestamp("2026-01-01").date())
    with db.session(env.db_path) as con:
        s = va.compliance_summary(con, scope)
        open_ids = va.open_items(con, scope, pd.Timestamp("2026-11-25 10:00"), env)["voc_id"].tolist()
    assert (s["received"], s["completed"], s["no_time"], s["decided"]) == (3, 2, 1, 1)
    assert open_ids == ["C3"]


def test_strict_rejects_closed_without_time(tmp_path, env):
    report = voc.load(
        env.db_path,
        [write_csv(tmp_path / "a.csv", closed_rows(), header=HEADER)],
        env,
        strict=True,
        enrich=False,
    )
    assert report.strict_blocked and report.prepared[0].rows_rejected == 1


def test_status_only_export_is_one_warning_not_row_errors(tmp_path, env):
    rows = [
        ["A1", "2025-03-04 10:00", "불만", "답변완료", "2025-03-06"],
        ["A2", "2025-03-04 11:00", "문의", "답변완료", "2025-03-07"],
    ]
    prep = voc.prepare(
        write_csv(tmp_path / "a.csv", rows, header=["접수번호", "접수일시", "유형", "처리상태", "회신 예정"]),
        env,
    )
    assert prep.rows_rejected == 0 and prep.closed_without_time == 2
    warning = [w for w in prep.warnings if "처리일시 열을 찾지 못했습니다" in w]
    assert len(warning) == 1 and "2건" in warning[0]


def test_date_only_completion_is_the_end_of_that_business_day(tmp_path, env):
    rows = [["A1", "2025-03-04 10:00", "불만", "2025-03-05"]]
    prep = voc.prepare(
        write_csv(tmp_path / "a.csv", rows, header=["접수번호", "접수일시", "유형", "처리일"]), env
    )
    assert prep.items.loc[0, "completed_at"] == pd.Timestamp("2025-03-05 18:00")
    assert prep.items.loc[0, "work_minutes"] == 15 * 60  # 10-18 (7h) + 09-18 (8h), lunch excluded


def test_counts_add_up(tmp_path, env):
    first = write_csv(tmp_path / "a.csv", [compound_row(1, "K1"), compound_row(2, "K2")], header=HEADER)
    voc.load(env.db_path, [first], env, enrich=False)
    rows = [
        compound_row(1, "K1"),  # unchanged
        [2, "K2", "2025-03-04 10:00", "불편", "답변완료", "2025-03-05 12:00", "주차장 문의"],  # updated
        compound_row(3, "K3"),
        compound_row(4, "K3"),  # inserted + merged
        [5, "K4", "어제", "불편", "답변완료", "", "x"],
    ]  # rejected
    b = voc.load(
        env.db_path, [write_csv(tmp_path / "b.csv", rows, header=HEADER)], env, enrich=False
    ).batches[0]
    assert (b.rows_read, b.inserted, b.updated, b.unchanged, b.merged, b.rejected) == (5, 1, 1, 1, 1, 1)
    assert b.rows_read == b.inserted + b.updated + b.unchanged + b.merged + b.rejected


def test_older_export_never_overwrites_newer_content(tmp_path, env):
    """Newer = more advanced status; at the same status, the export whose latest time is later."""
    new = [compound_row(1, "N1")[:6] + ["제목 수정됨"], compound_row(2, "N9", done="2025-04-30 10:00")]
    old = [compound_row(1, "N1")]
    voc.load(env.db_path, [write_csv(tmp_path / "new.csv", new, header=HEADER)], env, enrich=False)
    b = voc.load(
        env.db_path, [write_csv(tmp_path / "old.csv", old, header=HEADER)], env, enrich=False
    ).batches[0]
    assert (b.updated, b.unchanged, b.kept_newer) == (0, 1, 1)
    assert items(env.db_path).set_index("voc_id").loc["N1", "title"] == "제목 수정됨"


def test_newer_export_with_the_same_status_updates_content(tmp_path, env):
    voc.load(
        env.db_path,
        [write_csv(tmp_path / "old.csv", [compound_row(1, "N1")], header=HEADER)],
        env,
        enrich=False,
    )
    new = [compound_row(1, "N1")[:6] + ["제목 수정됨"], compound_row(2, "N9", done="2025-04-30 10:00")]
    b = voc.load(
        env.db_path, [write_csv(tmp_path / "new.csv", new, header=HEADER)], env, enrich=False
    ).batches[0]
    assert b.updated == 1 and items(env.db_path).set_index("voc_id").loc["N1", "title"] == "제목 수정됨"


def test_unknown_values_screened(tmp_path, env):
    header = ["접수번호", "접수일시", "유형", "처리부서", "시설"]
    rows = [
        ["U1", "2025-03-04 10:00", "불만", "관광사업팀", "단산모노레일"],
        ["U2", "2025-03-04 10:00", "불만", "주차장이 너무 좁아서 불편합니다.", "단산모노레일"],
        ["U3", "2025-03-04 10:00", "불만", "신설팀", "010-1234-5678"],
    ]
    prep = voc.prepare(write_csv(tmp_path / "a.csv", rows, header=header), env)
    got = prep.items.set_index("voc_id")
    assert got.loc["U1", "department"] == "관광사업팀"
    assert got.loc["U2", "department"] == "단산시설팀"  # the sentence dropped; the facility's department
    assert got.loc["U3", "department"] == "신설팀"  # unknown but plausible: kept
    assert "1234" not in str(got.loc["U3", "facility"])
    assert any("문장처럼" in w and "3행" in w for w in prep.warnings)
    assert not any("010-1234" in w for w in prep.warnings)


def load_closed_and_unregistered(tmp_path, env) -> None:
    rows = closed_rows() + [
        [4, "C4", "2025-03-04 10:00", "불편", "답변완료", "2025-03-05 11:00", "x", "신설팀"]
    ]
    header = HEADER + ["처리부서"]
    voc.load(
        env.db_path,
        [
            write_csv(
                tmp_path / "a.csv", [r + ["관광사업팀"] if len(r) == 7 else r for r in rows], header=header
            )
        ],
        env,
        enrich=False,
    )


def page_text(at) -> str:
    parts = [e.value for kind in ("markdown", "caption", "info", "warning") for e in getattr(at, kind)]
    return "\n".join(
        parts + [f"{m.label} {m.value}" for m in at.metric] + [d.value.to_string() for d in at.dataframe]
    )


def test_sla_page_shows_items_closed_without_time(tmp_path, env, app_test):
    load_closed_and_unregistered(tmp_path, env)
    at = app_test("pages/sla.py").run()
    assert not at.exception
    text = page_text(at)
    assert "처리일시 없음 1건" in text and "판정 건수 2건" in text
    assert "미처리 전체 1건" in text  # C3 only: the 완료 item without a time is not open


def test_department_filter_offers_one_unregistered_group(tmp_path, env, app_test):
    load_closed_and_unregistered(tmp_path, env)
    at = app_test("pages/sla.py").run()
    box = at.sidebar.multiselect[0]
    assert box.options[-1] == "미등록 (1건)" and "관광사업팀" in box.options
    at.session_state["flt_depts"] = ["미등록"]
    at.run()
    assert not at.exception and "접수 1건" in page_text(at)


def test_scope_unregistered_selects_blank_and_unknown_departments():
    from ccm.period import UNREGISTERED

    s = Scope(
        pd.Timestamp("2025-01-01").date(),
        pd.Timestamp("2026-01-01").date(),
        ("A", UNREGISTERED),
        registered=("A", "B"),
    )
    sql, params = s.where()
    import duckdb

    con = duckdb.connect()
    con.execute(
        "CREATE TABLE voc AS SELECT * FROM (VALUES ('A'), ('B'), ('C'), (NULL)) t(department), "
        "(SELECT DATE '2025-05-01' AS received_at)"
    )
    got = sorted(con.execute(f"SELECT coalesce(department, '-') FROM voc WHERE {sql}", params).fetchall())
    assert got == [("-",), ("A",), ("C",)]


def test_rejects_file_holds_nothing_in_clear_and_reloads_to_the_same_result(tmp_path, env):
    header = ["접수번호", "접수일시", "유형", "민원인", "연락처", "제목", "내용"]
    good = [
        "R1",
        "2025-03-04 10:00",
        "불만",
        "김철수",
        "010-2345-6789",
        '=HYPERLINK("http://x.example","y")',
        "김철수입니다. 회신은 chulsoo@example.com 으로",
    ]
    bad = good[:2] + ["모름"] + good[3:]
    voc.load(
        env.db_path,
        [write_csv(tmp_path / "a.csv", [bad], header=header)],
        env,
        rejects_dir=tmp_path,
        enrich=False,
    )
    rejects = tmp_path / "a_오류.csv"
    text = rejects.read_text(encoding="utf-8-sig")
    for secret in ("김철수", "2345", "chulsoo"):
        assert secret not in text
    assert "'=HYPERLINK" in text
    fixed = pd.read_csv(rejects, dtype=str, encoding="utf-8-sig")
    fixed["유형"] = "불만"
    fixed.to_csv(tmp_path / "fixed.csv", index=False, encoding="utf-8-sig")
    voc.load(env.db_path, [tmp_path / "fixed.csv"], env, enrich=False)
    from_fix = items(env.db_path).iloc[0]
    other = env.db_path.with_name("other.duckdb")
    voc.load(other, [write_csv(tmp_path / "b.csv", [good], header=header)], env, enrich=False)
    direct = items(other).iloc[0]
    for col in ("customer_key", "title", "content", "voc_type"):
        assert from_fix[col] == direct[col], col
    assert direct["title"].startswith("=HYPERLINK")


def test_values_decide_between_type_channel_and_status(tmp_path, env):
    header = ["접수번호", "접수일시", "접수구분", "민원구분"]
    rows = [["A1", "2025-03-04 10:00", "인터넷", "불편"], ["A2", "2025-03-04 11:00", "전화", "질의"]]
    prep = voc.prepare(write_csv(tmp_path / "a.csv", rows, header=header), env)
    assert prep.plan.fields["channel"] == "접수구분" and prep.plan.fields["voc_type"] == "민원구분"
    assert prep.items["channel"].tolist() == ["홈페이지", "대표전화"]


def test_date_named_column_without_dates_is_not_used(tmp_path, env):
    header = ["접수번호", "접수일시", "유형", "처리완료일", "Date Closed"]
    rows = [["A1", "2025-03-04 10:00", "불만", "예", "2025-03-05 10:00"]]
    prep = voc.prepare(write_csv(tmp_path / "a.csv", rows, header=header), env)
    assert prep.plan.fields["completed_at"] == "Date Closed" and prep.rows_rejected == 0
