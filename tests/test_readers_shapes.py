"""File shapes exports come in: HTML tables saved as .xls, tab/semicolon text with commas inside, two-row
headers, 합계/소계 rows and repeated header rows. Real bytes, hand-written expectations."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest

from etl import readers
from etl.readers import ReadError, read_table

KNOWN = ["번호", "접수번호", "접수일시", "유형", "처리일시", "처리부서", "제목", "내용"]

HTML_PAGE = """<html xmlns:o="urn:schemas-microsoft-com:office:office">
<head><meta http-equiv="Content-Type" content="text/html; charset={charset}">
<style>td {{ mso-number-format:"\\@"; }}</style><script>alert("실행되면 안 됨")</script></head>
<body>
<table><tr><td colspan="5">민원 접수 현황</td></tr></table>
<table border="1">
<thead>
<tr><th rowspan="2">번호</th><th colspan="2">접수</th><th colspan="2">처리</th></tr>
<tr><th>일시</th><th>유형</th><th>일시</th><th>부서</th></tr>
</thead>
<tbody>
<tr><td>2024-0001</td><td>2024.03.05 14:22</td><td>불만</td><td>2024.03.06 10:00</td><td>시설팀</td></tr>
<tr><td>2024-0002</td><td>2024.03.07&nbsp;09:00</td><td>문의</td><td></td><td>고객&amp;홍보팀<br>(대리)</td></tr>
<tr><td>합계</td><td colspan="4">2건</td></tr>
</tbody></table></body></html>"""


def _html(tmp_path: Path, encoding: str, charset: str, bom: bytes = b"") -> Path:
    path = tmp_path / "민원목록.xls"
    path.write_bytes(bom + HTML_PAGE.format(charset=charset).encode(encoding))
    return path


@pytest.mark.parametrize(
    "encoding, charset, bom, shown",
    [
        ("utf-8", "utf-8", b"", "utf-8"),
        ("cp949", "euc-kr", b"", "cp949"),
        ("cp949", "ks_c_5601-1987", b"", "cp949"),
        ("utf-8", "euc-kr", b"", "utf-8"),  # the meta tag lies: the bytes decide
        ("utf-8", "utf-8", b"\xef\xbb\xbf", "utf-8-sig"),
    ],
)
def test_html_table_saved_as_xls(tmp_path, encoding, charset, bom, shown):
    t = read_table(_html(tmp_path, encoding, charset, bom), known=KNOWN)
    assert t.encoding == shown
    # 일시 twice: each with its group; 부서 alone is not a known header, 처리 부서 is
    assert list(t.df.columns) == ["번호", "접수 일시", "유형", "처리 일시", "처리 부서"]
    assert t.df["번호"].tolist() == ["2024-0001", "2024-0002"]
    assert t.df["접수 일시"].tolist() == ["2024.03.05 14:22", "2024.03.07 09:00"]
    assert t.df.loc[1, "처리 부서"] == "고객&홍보팀\n(대리)"
    assert t.df.isna().loc[1, "처리 일시"]
    assert t.header_row == 2 and t.rows.tolist() == [3, 4]
    assert t.notes == [
        "2행 머리글(묶음 행 1행 + 머리글 2행)로 읽었습니다.",
        "합계·소계·평균 행 1개(5행)를 건너뛰었습니다.",
    ]
    assert not any("실행" in str(v) for v in t.df.to_numpy().ravel())


def test_html_without_a_page_a_bare_table(tmp_path):
    path = tmp_path / "x.xls"
    path.write_bytes(
        "<TABLE><TR><TD>접수번호</TD><TD>유형</TD></TR><TR><TD>A-1</TD><TD>불만</TD></TR></TABLE>".encode()
    )
    t = read_table(path, known=KNOWN)
    assert t.df.to_dict("list") == {"접수번호": ["A-1"], "유형": ["불만"]} and t.notes == []


def test_html_too_large_is_refused_before_parsing(tmp_path, monkeypatch):
    monkeypatch.setattr(readers, "HTML_MAX_BYTES", 100)
    with pytest.raises(ReadError, match="너무 큽니다"):
        read_table(_html(tmp_path, "utf-8", "utf-8"), known=KNOWN)


def test_html_spans_are_bounded(tmp_path, monkeypatch):
    path = tmp_path / "x.xls"
    path.write_bytes(
        b'<table><tr><td colspan="99999999">a</td><td>b</td></tr>'
        b'<tr><td rowspan="-3">1</td><td>2</td></tr></table>'
    )
    t = read_table(path)
    assert list(t.df.columns) == ["a"] and t.df.iloc[0, 0] == "1"  # 'b' lies beyond the last column
    with pytest.raises(ReadError, match="칸이 너무 많습니다"):
        read_table(path, limits=readers.Limits(cells=1000))


def test_html_without_a_table_says_so(tmp_path):
    path = tmp_path / "x.xls"
    path.write_bytes(b"<html><body><p>no data</p></body></html>")
    with pytest.raises(ReadError, match="표가 없습니다"):
        read_table(path)


def test_excel_2003_xml_is_named_not_misread(tmp_path):
    path = tmp_path / "x.xls"
    path.write_bytes(
        b'<?xml version="1.0"?>\n<?mso-application progid="Excel.Sheet"?>\n<Workbook '
        b'xmlns="urn:schemas-microsoft-com:office:spreadsheet"><Worksheet><Table><Row><Cell>'
        b'<Data ss:Type="String">a</Data></Cell></Row></Table></Worksheet></Workbook>'
    )
    with pytest.raises(ReadError, match="Excel 2003 XML"):
        read_table(path)


def _text(path: Path, rows: list[list[str]], delimiter: str, encoding: str = "utf-8") -> Path:
    buf = io.StringIO(newline="")
    csv.writer(buf, delimiter=delimiter, lineterminator="\r\n").writerows(rows)
    path.write_bytes(buf.getvalue().encode(encoding))
    return path


@pytest.mark.parametrize("delimiter, encoding", [("\t", "cp949"), (";", "utf-8"), ("\t", "utf-8")])
def test_tab_or_semicolon_text_with_commas_inside_values(tmp_path, delimiter, encoding):
    rows = [
        ["고객의 소리 목록, 2024년"],
        ["접수번호", "접수일시", "제목", "내용"],
        ["A-1", "2024-03-05 10:00", "요금, 주차", "주차장이 좁고, 요금이 비쌉니다, 정말로"],
        ["A-2", "2024-03-06 11:00", "안내", "직원이 친절, 감사합니다"],
        ["A-3", "2024-03-07 12:00", "시설, 청결, 소음", "화장실, 매점, 주차장, 매표소, 승강장 모두 불편"],
    ]
    t = read_table(_text(tmp_path / "x.txt", rows, delimiter, encoding), known=KNOWN)
    assert list(t.df.columns) == ["접수번호", "접수일시", "제목", "내용"]
    assert t.df["제목"].tolist() == ["요금, 주차", "안내", "시설, 청결, 소음"]
    assert t.title_rows == ["고객의 소리 목록, 2024년"] and t.rows.tolist() == [3, 4, 5]


def test_comma_file_with_a_stray_semicolon_stays_comma(tmp_path):
    rows = [["접수번호", "제목", "내용"], ["A-1", "요금", "a; b"], ["A-2", "안내", "c"]]
    t = read_table(_text(tmp_path / "x.csv", rows, ","), known=KNOWN)
    assert t.df["내용"].tolist() == ["a; b", "c"]


def test_two_row_header_in_csv_with_blank_group_cells(tmp_path):
    rows = [
        ["접수정보", "", "", "처리정보", ""],
        ["번호", "접수일시", "유형", "처리일시", "처리부서"],
        ["A-1", "2024-03-05 10:00", "불만", "2024-03-05 15:00", "시설팀"],
    ]
    t = read_table(_text(tmp_path / "x.csv", rows, ",", "cp949"), known=KNOWN)
    assert list(t.df.columns) == ["번호", "접수일시", "유형", "처리일시", "처리부서"]  # clear alone: kept
    assert t.header_row == 2 and t.rows.tolist() == [3] and t.title_rows == []
    assert t.notes == ["2행 머리글(묶음 행 1행 + 머리글 2행)로 읽었습니다."]


def test_two_row_header_in_xlsx_with_merged_cells(tmp_path):
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    ws.append(["2024년 민원 처리 현황"])
    ws.merge_cells("A1:F1")
    ws.append(["번호", "접수", None, "처리", None, "비고"])
    ws.append([None, "일시", "유형", "일시", "부서", None])
    ws.merge_cells("A2:A3")
    ws.merge_cells("B2:C2")
    ws.merge_cells("D2:E2")
    ws.merge_cells("F2:F3")
    ws.append(["V-1", "2024-03-05 10:00", "불만", "2024-03-05 15:00", "시설팀", "없음"])
    ws.append(["V-2", "2024-03-06 10:00", "문의", None, None, None])
    path = tmp_path / "x.xlsx"
    wb.save(path)
    t = read_table(path, known=KNOWN)
    assert list(t.df.columns) == ["번호", "접수 일시", "유형", "처리 일시", "처리 부서", "비고"]
    assert t.df["번호"].tolist() == ["V-1", "V-2"] and t.df.loc[0, "비고"] == "없음"
    assert t.header_row == 3 and t.rows.tolist() == [4, 5]
    assert t.title_rows == ["2024년 민원 처리 현황"]
    assert t.notes == ["2행 머리글(묶음 행 2행 + 머리글 3행)로 읽었습니다."]


def test_group_label_joins_a_header_known_only_with_it(tmp_path):
    rows = [
        ["", "접수", "", "처리", ""],
        ["번호", "일자", "유형", "결과", "부서"],
        ["A-1", "2024-03-05", "불만", "완료", "시설팀"],
    ]
    t = read_table(
        _text(tmp_path / "x.csv", rows, ","),
        known=lambda h: h.replace(" ", "") in {"번호", "접수일자", "유형", "처리결과", "처리부서"},
    )
    assert list(t.df.columns) == ["번호", "접수 일자", "유형", "처리 결과", "처리 부서"]


def test_group_row_that_matches_more_known_headers_than_the_header_below(tmp_path):
    rows = [
        ["접수", "", "처리", ""],
        ["일시", "유형", "일시", "부서"],
        ["2024-03-05", "불만", "2024-03-06", "시설팀"],
    ]
    t = read_table(_text(tmp_path / "x.csv", rows, ","), known=lambda h: h in {"접수", "처리", "유형"})
    assert list(t.df.columns) == ["접수 일시", "유형", "처리 일시", "부서"]
    assert t.header_row == 2 and t.rows.tolist() == [3]


def test_a_title_with_two_cells_is_not_a_group_row(tmp_path):
    rows = [
        ["민원처리현황", "", "", "총무과"],
        ["접수번호", "접수일시", "유형", "처리부서"],
        ["A-1", "2024-03-05", "불만", "시설팀"],
    ]
    t = read_table(_text(tmp_path / "x.csv", rows, ","), known=KNOWN)
    assert t.notes == [] and t.title_rows == ["민원처리현황 총무과"]


def test_totals_rows_are_skipped_and_reported_but_sentences_kept(tmp_path):
    header = ["접수번호", "접수일시", "유형", "내용"]
    rows = [
        header,
        ["A-1", "2024-03-05", "불만", "월 합계 금액이 틀립니다"],
        ["A-2", "2024-03-05", "합계", "유형 칸에 합계라고 적힌 실제 민원"],  # first cell is an ID
        ["소계", "", "2", ""],
        ["A-3", "2024-03-06", "문의", "합계"],
        ["", "[합 계]", "", "3"],
        ["Total", "", "", "3"],
        ["평균", "A-17", "", ""],  # holds an identifier
        ["(총계)", "", "12건", ""],
    ]
    t = read_table(_text(tmp_path / "x.csv", rows, ",", "cp949"), known=KNOWN)
    assert t.df["접수번호"].fillna("-").tolist() == ["A-1", "A-2", "A-3", "평균"]
    assert t.rows.tolist() == [2, 3, 5, 8]
    assert t.notes == ["합계·소계·평균 행 4개(4, 6, 7, 9행)를 건너뛰었습니다."]


def test_repeated_header_rows_from_page_breaks_are_skipped(tmp_path):
    from tests.support.voc_files import HEADER, row, write_xlsx

    path = write_xlsx(
        tmp_path / "x.xlsx",
        [row("A-1"), HEADER, row("A-2"), row("A-3"), HEADER, row("A-4")],
        titles=["VOC 현황"],
    )
    t = read_table(path, known=KNOWN)
    assert t.df["접수번호"].tolist() == ["A-1", "A-2", "A-3", "A-4"]
    assert t.notes == ["반복된 머리글 행 2개(4, 7행)를 건너뛰었습니다."]


def test_xls_with_a_totals_row(tmp_path):
    from tests.support.voc_files import row, write_xls

    total = ["합계", "", "", "", "", "", "", "", ""]
    t = read_table(write_xls(tmp_path / "x.xls", [row("X-1"), row("X-2"), total]), known=KNOWN)
    assert t.df["접수번호"].tolist() == ["X-1", "X-2"] and t.notes == [
        "합계·소계·평균 행 1개(4행)를 건너뛰었습니다."
    ]


def test_known_may_be_a_function(tmp_path):
    rows = [["고객의 소리"], ["Unique Key", "Created Date", "Complaint Type"], ["1", "06/26/2018", "Noise"]]
    seen = []

    def known(header: str) -> bool:
        seen.append(header)
        return header.lower() in {"unique key", "created date", "complaint type"}

    t = read_table(_text(tmp_path / "x.csv", rows, ","), known=known)
    assert t.header_row == 2 and list(t.df.columns) == ["Unique Key", "Created Date", "Complaint Type"]
    assert len(seen) == len(set(seen))  # asked once per text


@pytest.mark.parametrize(
    "sample, expected",
    [
        ("a\tb\tc\n1,2\t3,4\t5\n6\t7,8,9\t0\n", "\t"),
        ("a;b;c\n1,5;2;x, y\n3;4,5;z\n", ";"),
        ("a,b,c\n1,2,3\n", ","),
        ("a|b\n1|2\n", "|"),
        ("한 칸\n", ","),
    ],
)
def test_delimiter_is_the_one_giving_consistent_rows(sample, expected):
    assert readers._sniff_delimiter(sample) == expected
