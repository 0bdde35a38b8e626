"""Control characters in uploaded files (issue 14): removed before storage, reported, and every page,
download and report works on what is stored."""

from datetime import datetime

from ccm import db, report
from etl import voc
from etl.readers import read_table
from tests.support.voc_files import write_csv, write_xlsx

HEADER = ["접수번호", "접수일시", "유형", "접수채널", "시설", "처리일시", "제목"]
ROWS = [
    ["N1", "2025-08-04 10:00", "불만", "앞\x00뒤", "단산모노레일", "2025-08-04 15:00", "gnp\u202eexe.png"],
    ["N2", "2025-08-05 10:00", "문의", "홈페이지", "단산모노레일", "2025-08-05 11:00", "종\x07이\x1b표"],
]


def test_csv_controls_removed_and_reported(tmp_path):
    t = read_table(write_csv(tmp_path / "a.csv", ROWS, header=HEADER), known=HEADER)
    assert t.df["접수채널"].tolist() == ["앞뒤", "홈페이지"]
    assert t.df["제목"].tolist() == ["gnpexe.png", "종이표"]
    assert any("제어 문자" in n and "4개" in n and "'접수채널' 열 2행" in n for n in t.notes)


def test_workbook_controls_removed(tmp_path):
    rows = [r[:3] + ["홈페이지"] + r[4:] for r in ROWS[:1]]  # openpyxl refuses C0 controls; bidi it writes
    t = read_table(write_xlsx(tmp_path / "a.xlsx", rows, header=HEADER), known=HEADER)
    assert t.df["제목"].tolist() == ["gnpexe.png"] and any("제어 문자" in n for n in t.notes)


def test_clean_file_has_no_note(tmp_path):
    rows = [r[:3] + ["홈페이지"] + r[4:6] + ["보통 제목…·※"] for r in ROWS]
    t = read_table(write_csv(tmp_path / "a.csv", rows, header=HEADER, encoding="cp949"), known=HEADER)
    assert not t.notes and t.df["제목"].tolist() == ["보통 제목…·※"] * 2


def test_pages_and_report_work_on_a_nul_channel(tmp_path, env, app_test):
    voc.load(env.db_path, [write_csv(tmp_path / "a.csv", ROWS, header=HEADER)], env, enrich=False)
    with db.session(env.db_path) as con:
        assert con.execute("SELECT count(*) FROM voc_items WHERE channel = '앞뒤'").fetchone()[0] == 1
        assert (
            con.execute("SELECT count(*) FROM voc_items WHERE contains(channel, chr(0))").fetchone()[0] == 0
        )
        data = report.build_workbook(con, env, 2025, 2, datetime(2025, 11, 25, 10), include_texts=True)
    assert len(data) > 1000
    for page in ("pages/sla.py", "pages/trends.py"):
        at = app_test(page)
        at.session_state["sla_dim"] = "channel"
        at.run()
        assert not at.exception, page
