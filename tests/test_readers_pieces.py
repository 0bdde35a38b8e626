"""CSV files are parsed as bytes in blocks, then decoded column by column and block by block: the
table must not depend on where blocks end, nor on which decoding path a column takes."""

from __future__ import annotations

import pytest

from etl import readers
from etl.readers import read_table
from tests.support.voc_files import HEADER, row, write_csv

KNOWN = HEADER


def _rows(n: int) -> list[list[str]]:
    out = []
    for i in range(n):
        content = f'주차장이 "좁습니다", {i}번째\n둘째 줄' if i % 3 == 0 else f"  안내 요청 {i}  "
        received = (
            f"2025/3/{i % 28 + 1} 오후 2:{i % 60:02d}:00" if i % 5 == 0 else f"2025-03-04 10:{i % 60:02d}"
        )
        out.append(
            row(
                f"V{i}",
                received=received,
                title=f"제목 {i},쉼표",
                content=content,
                voc_type=["불만", "문의"][i % 2],
            )
        )
    return out


@pytest.fixture
def cp949_file(tmp_path):
    return write_csv(tmp_path / "v.csv", _rows(400), encoding="cp949", titles=["고객의 소리 접수 현황"])


@pytest.mark.parametrize("block", [4096, 1 << 14])
def test_small_blocks_give_the_same_table_as_one_block(cp949_file, monkeypatch, block):
    whole = read_table(cp949_file, known=KNOWN)
    monkeypatch.setattr(readers, "ARROW_BLOCK", block)
    blocks = read_table(cp949_file, known=KNOWN)
    assert len(whole.df) == 400
    assert blocks.df.equals(whole.df)
    assert blocks.rows.tolist() == whole.rows.tolist() == list(range(3, 403))
    assert blocks.encoding == "cp949" and blocks.header_row == 2
    assert blocks.df.loc[0, "내용"] == '주차장이 "좁습니다", 0번째\n둘째 줄'  # free text: decoded in one call
    assert blocks.df.loc[1, "내용"] == "안내 요청 1"  # trimmed
    assert blocks.df["유형"].tolist()[:3] == ["불만", "문의", "불만"]  # repetitive: decoded once per value
    assert blocks.df.loc[399, "접수번호"] == "V399"  # ASCII: not decoded at all
    assert blocks.df["접수일시"].tolist()[:2] == ["2025/3/1 오후 2:00:00", "2025-03-04 10:01"]  # mostly ASCII


def test_a_nul_byte_inside_a_value_is_removed_and_the_rows_stay_aligned(tmp_path):
    rows = _rows(30)
    rows[7][8] = "널\x00문자"
    t = read_table(write_csv(tmp_path / "v.csv", rows, encoding="cp949"), known=KNOWN)
    assert t.df.loc[7, "내용"] == "널문자" and t.df.loc[8, "내용"] == "안내 요청 8"
    assert any("제어 문자" in n for n in t.notes)
    path = tmp_path / "v.csv"
    data = path.read_bytes()
    path.write_bytes(data.replace("안내 요청 11".encode("cp949"), b"\xff" + "안내 요청 11".encode("cp949")))
    with pytest.raises(readers.ReadError, match="\\(13행, '내용' 열\\)"):
        read_table(path, known=KNOWN)


def _inserted(tmp_path, monkeypatch, marker: str, extra: bytes, block: int | None = 500):
    """A 50-row CP949 file with `extra` bytes inserted before `marker`, parsed in `block`-byte blocks."""
    path = write_csv(tmp_path / "v.csv", _rows(50), encoding="cp949")
    data = path.read_bytes()
    cut = data.index(marker.encode("cp949"))
    path.write_bytes(data[:cut] + extra + data[cut:])
    if block:
        monkeypatch.setattr(readers, "ARROW_BLOCK", block)
    return path


def test_blank_line_in_a_later_block_keeps_exact_row_numbers(tmp_path, monkeypatch):
    path = _inserted(tmp_path, monkeypatch, "V40,", b"\r\n")
    t = read_table(path, known=KNOWN)
    assert len(t.df) == 50
    assert t.rows[t.df["접수번호"] == "V40"].tolist() == [43]
    assert t.rows[t.df["접수번호"] == "V39"].tolist() == [41]
    assert t.df.loc[t.df["접수번호"] == "V39", "제목"].item() == "제목 39,쉼표"


@pytest.mark.parametrize(
    "marker, column, block",
    [
        ("V45,", "접수번호", 500),  # a column otherwise ASCII
        ("제목 45,쉼표", "제목", 500),  # free text (inside its quotes)
        (
            '문의,홈페이지,단산모노레일,완료,2025-03-04 15:00,"제목 45',
            "유형",
            None,
        ),  # repetitive: distinct values
        ("오후 2:45:00", "접수일시", 4096),  # mostly ASCII: only the other values decoded
    ],
)
def test_undecodable_byte_names_its_row_and_column(tmp_path, monkeypatch, marker, column, block):
    path = _inserted(tmp_path, monkeypatch, marker, b"\xff", block)
    with pytest.raises(readers.ReadError, match=f"인코딩을 알 수 없습니다\\(47행, '{column}' 열\\)"):
        read_table(path, known=KNOWN)
