"""CP949 files are transcoded and parsed piece by piece: the table must not depend on where pieces end."""
from __future__ import annotations

import pytest

from etl import readers
from etl.readers import read_table
from tests.voc_files import HEADER, row, write_csv

KNOWN = HEADER


def _rows(n: int) -> list[list[str]]:
    out = []
    for i in range(n):
        content = f"주차장이 \"좁습니다\", {i}번째\n둘째 줄" if i % 3 == 0 else f"  안내 요청 {i}  "
        out.append(row(f"V{i}", title=f"제목 {i},쉼표", content=content))
    return out


@pytest.fixture
def cp949_file(tmp_path):
    return write_csv(tmp_path / "v.csv", _rows(400), encoding="cp949", titles=["고객의 소리 접수 현황"])


@pytest.mark.parametrize("chunk", [97, 1000, 4096])
def test_small_pieces_give_the_same_table_as_one_piece(cp949_file, monkeypatch, chunk):
    whole = read_table(cp949_file, known=KNOWN)
    monkeypatch.setattr(readers, "TRANSCODE_CHUNK", chunk)
    pieces = read_table(cp949_file, known=KNOWN)
    assert len(whole.df) == 400
    assert pieces.df.equals(whole.df)
    assert pieces.rows.tolist() == whole.rows.tolist() == list(range(3, 403))
    assert pieces.encoding == "cp949" and pieces.header_row == 2
    assert pieces.df.loc[0, "내용"] == '주차장이 "좁습니다", 0번째\n둘째 줄'


def _inserted(tmp_path, monkeypatch, before_id: str, extra: bytes):
    """A 50-row CP949 file with `extra` bytes inserted before a row, read in 500-byte pieces; (path, line)."""
    path = write_csv(tmp_path / "v.csv", _rows(50), encoding="cp949")
    data = path.read_bytes()
    cut = data.index(f"{before_id},".encode("cp949"))
    path.write_bytes(data[:cut] + extra + data[cut:])
    monkeypatch.setattr(readers, "TRANSCODE_CHUNK", 500)
    return path, data[:cut].count(b"\n") + 1


def test_blank_line_in_a_later_piece_keeps_exact_row_numbers(tmp_path, monkeypatch):
    path, _ = _inserted(tmp_path, monkeypatch, "V40", b"\r\n")
    t = read_table(path, known=KNOWN)
    assert len(t.df) == 50
    assert t.rows[t.df["접수번호"] == "V40"].tolist() == [43]
    assert t.rows[t.df["접수번호"] == "V39"].tolist() == [41]


def test_undecodable_byte_in_a_later_piece_names_its_line(tmp_path, monkeypatch):
    path, line = _inserted(tmp_path, monkeypatch, "V45", b"\xff")
    with pytest.raises(readers.ReadError, match=f"인코딩을 알 수 없습니다\\({line}행 부근\\)"):
        read_table(path, known=KNOWN)
