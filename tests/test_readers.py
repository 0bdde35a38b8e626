"""Readers: encodings from the bytes, header rows below titles, workbooks, and every date format."""

from datetime import datetime

import pandas as pd
import pytest

from etl.parsing import combine_date_time, parse_datetimes
from etl.readers import ReadError, detect_encoding, normalise_header, read_table
from tests.support.voc_files import HEADER, row, write_csv, write_xls, write_xlsx

KNOWN = ["접수번호", "접수일시", "유형", "제목"]
ROWS = [row("A-1", content="여러 줄\n내용입니다"), row("A-2", title="요금 문의  ")]


@pytest.mark.parametrize(
    "encoding, expected",
    [
        ("utf-8", "utf-8"),
        ("utf-8-sig", "utf-8-sig"),
        ("cp949", "cp949"),
        ("euc-kr", "cp949"),
    ],
)
def test_encoding_is_detected_from_bytes_not_name(tmp_path, encoding, expected):
    path = write_csv(tmp_path / "export.txt", ROWS, encoding=encoding)  # misleading extension
    t = read_table(path, known=KNOWN)
    assert t.encoding == expected
    assert t.df["제목"].tolist() == ["주차 문제", "요금 문의"]
    assert list(t.df.columns) == HEADER


def test_cp949_only_characters_read(tmp_path):
    path = write_csv(tmp_path / "x.csv", [row("A-1", title="똠방각하 펲")], encoding="cp949")
    assert read_table(path, known=KNOWN).df.loc[0, "제목"] == "똠방각하 펲"


def test_undecodable_bytes_give_a_clear_error():
    with pytest.raises(ReadError, match="인코딩"):
        detect_encoding("접수번호,제목\n".encode("cp949") + b"\xff\xfe\xff\x80\x80")


def test_header_found_below_title_rows_and_rows_numbered_as_in_excel(tmp_path):
    path = write_csv(
        tmp_path / "x.csv",
        ROWS,
        encoding="cp949",
        titles=["고객의 소리 접수 현황", "조회기간: 2025-01-01 ~ 2025-03-31", ""],
    )
    t = read_table(path, known=KNOWN)
    assert t.header_row == 4
    assert t.rows.tolist() == [5, 6]
    assert t.title_rows[0] == "고객의 소리 접수 현황"


def test_embedded_newline_quoted_thousands_and_trailing_spaces(tmp_path):
    path = write_csv(
        tmp_path / "x.csv", [["1,234", "2025-03-04", "불만", "  홈페이지 ", "", "", "", "t", "a\nb"]]
    )
    df = read_table(path, known=KNOWN).df
    assert df.loc[0, "접수번호"] == "1,234"
    assert df.loc[0, "접수채널"] == "홈페이지"
    assert df.loc[0, "내용"] == "a\nb"
    assert pd.isna(df.loc[0, "처리일시"])


def test_blank_lines_are_dropped_but_keep_row_numbers(tmp_path):
    path = tmp_path / "x.csv"
    path.write_text("접수번호,접수일시,유형\nA,2025-01-01,불만\n\nB,2025-01-02,문의\n", encoding="utf-8")
    t = read_table(path, known=KNOWN)
    assert t.df["접수번호"].tolist() == ["A", "B"] and t.rows.tolist() == [2, 4]


def test_xlsx_with_title_row_and_datetime_cells(tmp_path):
    r = row("X-1")
    r[1] = datetime(2025, 3, 4, 14, 22)
    r[0] = 12345  # numeric 접수번호 stays "12345", not "12345.0"
    path = write_xlsx(tmp_path / "x.xlsx", [r], titles=["VOC 처리 현황"])
    t = read_table(path, known=KNOWN)
    assert t.header_row == 2 and t.rows.tolist() == [3]
    assert t.df.loc[0, "접수일시"] == "2025-03-04 14:22:00"
    assert t.df.loc[0, "접수번호"] == "12345"


def test_old_xls_via_calamine(tmp_path):
    r = row("X-2")
    r[1] = datetime(2024, 3, 5, 9, 30)
    path = write_xls(tmp_path / "x.xls", [r], titles=["제목 행"])
    t = read_table(path.read_bytes(), "x.xls", known=KNOWN)
    assert t.df.loc[0, "접수번호"] == "X-2"
    assert parse_datetimes(t.df["접수일시"])[0] == pd.Timestamp("2024-03-05 09:30")


def test_empty_file_is_unusable(tmp_path):
    (tmp_path / "e.csv").write_bytes(b"")
    with pytest.raises(ReadError, match="비어"):
        read_table(tmp_path / "e.csv")


@pytest.mark.parametrize(
    "text, expected",
    [
        ("2024.03.05", "2024-03-05 00:00:00"),
        ("2024-03-05 14:22", "2024-03-05 14:22:00"),
        ("2024.03.05 14:22:10", "2024-03-05 14:22:10"),
        ("2024/3/5 오후 2:22:00", "2024-03-05 14:22:00"),
        ("2024/3/5 오전 12:05:00", "2024-03-05 00:05:00"),
        ("2024-03-05T14:22:00", "2024-03-05 14:22:00"),
        ("45356.59861111111", "2024-03-05 14:22:00"),  # Excel serial
        ("45356", "2024-03-05 00:00:00"),
        ("2024년 3월 5일", "2024-03-05 00:00:00"),
        ("20240305", "2024-03-05 00:00:00"),
    ],
)
def test_date_formats(text, expected):
    assert parse_datetimes(pd.Series([text]))[0] == pd.Timestamp(expected)


@pytest.mark.parametrize("text", ["2024-13-05", "내일", "2024-02-30", "12"])
def test_unreadable_dates_are_nat(text):
    assert pd.isna(parse_datetimes(pd.Series([text]))[0])


def test_separate_date_and_time_columns():
    dt, bad = combine_date_time(
        pd.Series(["2025-03-04", "2025.03.05", "2025-03-06"]), pd.Series(["14:22", "오후 3:05:00", "25:99"])
    )
    assert dt[0] == pd.Timestamp("2025-03-04 14:22") and dt[1] == pd.Timestamp("2025-03-05 15:05")
    assert bad.tolist() == [False, False, True]


def test_header_normalisation_ignores_spacing_brackets_and_width():
    assert normalise_header(" 처리 부서 ") == normalise_header("처리부서")
    assert normalise_header("ＶＯＣ 번호") == normalise_header("voc번호")


def test_cp949_text_far_into_an_ascii_file_is_still_detected(tmp_path):
    ascii_rows = [
        [f"A-{i}", "2025-03-04 10:00", "x", "", "", "", "", "title", "content"] for i in range(40000)
    ]
    path = write_csv(tmp_path / "late.csv", ascii_rows + [row("K-1", title="한글 제목")], encoding="cp949")
    assert path.stat().st_size > 1 << 20
    t = read_table(path, known=KNOWN)
    assert t.encoding == "cp949" and t.df["제목"].iloc[-1] == "한글 제목" and len(t.df) == 40001


def test_short_rows_are_padded_and_long_rows_make_the_file_unusable(tmp_path):
    path = tmp_path / "ragged.csv"
    path.write_text("접수번호,접수일시,유형\nA,2025-01-01\n\nB,2025-01-02,문의\n", encoding="utf-8")
    t = read_table(path, known=KNOWN)
    assert (
        t.df["접수번호"].tolist() == ["A", "B"] and t.rows.tolist() == [2, 4] and pd.isna(t.df.loc[0, "유형"])
    )
    path.write_text(
        "접수번호,접수일시,유형\nA,2025-01-01,불만\nB,2025-01-02,문의,남는 값\n", encoding="utf-8"
    )
    with pytest.raises(ReadError, match="3행 부근"):
        read_table(path, known=KNOWN)
