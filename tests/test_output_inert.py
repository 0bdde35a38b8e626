"""Output is inert: no download or workbook turns a value into a formula, markdown shows data as typed,
bidi controls are visible. Files are opened as produced (csv module, openpyxl)."""

from __future__ import annotations

import csv
import io
import re

import openpyxl
import pandas as pd
import pytest

from ccm import db, kpi, report
from ccm.kpi_excel import review_workbook
from ccm.safe_text import WORD_JOINER, inert_cell, md, show_bidi
from etl import kpi as kpi_etl
from tests.support import kpi_workbooks
from tests.support.voc_database import COLUMNS, insert_rows
from ui.components import csv_bytes, excel_bytes

LINK = '=HYPERLINK("http://x.example","y")'
DDE = "@SUM(1+1)*cmd|' /C calc'!A0"
RLO = "invoice\u202egnp.exe"
HOSTILE_MD = ":red[x] [x](javascript:alert(1)) **b** <script> $x^2$ :smile:"


def _frame() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "제목": [LINK, "+cmd", "-2+3", "\tx", "정상", RLO],
            "건수": [-5, 1, 2, 3, 4, 5],
            "변동": ["-1.5", "+12%", "=1+1", DDE, "", None],
        }
    )


# --- cells ----------------------------------------------------------------------------------------


def test_formula_like_text_gets_a_quote_and_numbers_stay_numbers():
    assert inert_cell(LINK) == "'" + LINK
    assert inert_cell("\r=1") == "'\r=1"
    assert (
        inert_cell("-1.5") == "-1.5" and inert_cell("+12%") == "+12%"
    )  # a number written as text runs nothing
    assert inert_cell(-5) == -5 and inert_cell("정상") == "정상"


def test_csv_download_neutralises_formula_cells():
    rows = list(csv.reader(io.StringIO(csv_bytes(_frame()).decode("utf-8-sig"))))
    assert rows[0] == ["제목", "건수", "변동"]
    got = {r[0]: r for r in rows[1:]}
    assert "'" + LINK in got and "'+cmd" in got and "'-2+3" in got and "'\tx" in got
    assert got["'" + LINK][1] == "-5"  # a negative number stays a number
    assert [r[2] for r in rows[1:5]] == ["-1.5", "+12%", "'=1+1", "'" + DDE]
    assert rows[6][0] == "invoice⟨U+202E⟩gnp.exe"


def test_csv_download_neutralises_a_formula_in_a_column_name():
    rows = list(csv.reader(io.StringIO(csv_bytes(pd.DataFrame({"=1+1": ["a"]})).decode("utf-8-sig"))))
    assert rows[0] == ["'=1+1"]


def test_table_excel_download_writes_formula_text_as_quoted_string():
    ws = openpyxl.load_workbook(io.BytesIO(excel_bytes({"목록": _frame()})))["목록"]
    title, count = ws["A2"], ws["B2"]
    assert title.value == "'" + LINK and title.data_type == "s"
    assert count.value == -5 and count.data_type == "n"
    assert ws["C5"].value == "'" + DDE and ws["C5"].data_type == "s"
    assert ws["A7"].value == "invoice⟨U+202E⟩gnp.exe"
    assert not [c.coordinate for row in ws.iter_rows() for c in row if c.data_type == "f"]


def test_semiannual_report_workbook_has_no_live_formula(env, db_path):
    row = (
        "X1",
        "2025-09-01 10:00",
        "2025-09-01 11:00",
        "문의",
        "홈페이지",
        "관광사업팀",
        LINK,
        "완료",
        DDE,
        "본문",
        "2025-09-01 10:00",
        "2025-09-02 10:00",
        480,
        60,
        True,
    )
    with db.session(db_path) as con:
        insert_rows(con, [row], COLUMNS)
        data = report.build_workbook(con, env, 2025, 2, pd.Timestamp("2026-01-10 10:00").to_pydatetime())
    wb = openpyxl.load_workbook(io.BytesIO(data))
    formulas = [
        (ws.title, c.coordinate) for ws in wb for row in ws.iter_rows() for c in row if c.data_type == "f"
    ]
    assert formulas == []
    facility = [c for row in wb["시설별"].iter_rows() for c in row if c.value == "'" + LINK]
    assert facility and facility[0].data_type == "s"


def test_kpi_review_workbook_has_no_live_formula(env, tmp_path):
    path = tmp_path / "kpi.xlsx"
    defs = [kpi_workbooks.kpi_row(env.departments[0], DDE, target=100)]
    kpi_workbooks.write_workbook(
        path, defs, kpi_workbooks.monthly(2026, env.departments[0], DDE, {1: 5, 2: 7})
    )
    result = kpi_etl.load(path, env.db_path, env)
    assert result.ok, result.rejects
    with db.session(env.db_path) as con:
        card = kpi.review(con, 2026, 2)
        changes, off, scores = (
            kpi.changes(con, 2026, 2),
            kpi.off_track(con, 2026, 2),
            kpi.department_scores(con, 2026, 2),
        )
    data = review_workbook(LINK, card[card["is_goal"]], card, off, changes, scores, 0.5, 1.2)
    wb = openpyxl.load_workbook(io.BytesIO(data))
    assert wb["요약"]["A1"].value == "'" + LINK and wb["요약"]["A1"].data_type == "s"
    named = [c for row in wb["스코어카드"].iter_rows() for c in row if c.value == "'" + DDE]
    assert named and named[0].data_type == "s"
    assert [
        (ws.title, c.coordinate) for ws in wb for row in ws.iter_rows() for c in row if c.data_type == "f"
    ] == []


# --- markdown -------------------------------------------------------------------------------------


def live(markup: str, markdown: str) -> bool:
    """Does `markup` occur in `markdown` without a backslash escaping its first character?"""
    return re.search(r"(?<!\\)" + re.escape(markup), markdown) is not None


def unescape(markdown: str) -> str:
    """What CommonMark shows for text made only of backslash escapes and plain characters."""
    out, i = [], 0
    while i < len(markdown):
        if (
            markdown[i] == "\\"
            and i + 1 < len(markdown)
            and markdown[i + 1].isascii()
            and not markdown[i + 1].isalnum()
        ):
            i += 1
        out.append(markdown[i])
        i += 1
    return "".join(out).replace(WORD_JOINER, "")


@pytest.mark.parametrize(
    "value",
    [
        ":red[x]",
        "[x](javascript:alert(1))",
        "**b**",
        "<script>alert(1)</script>",
        "$x^2$",
        ":smile:",
        ":material/home:",
        "# 제목",
        "1. 목록",
        "`code`",
        "a\\b",
    ],
)
def test_markdown_escape_leaves_no_markup(value):
    escaped = md(value)
    assert unescape(escaped) == value
    for markup in ("[", "](", "**", "<", "$", ":", "`", "#", "1."):
        assert not live(markup, escaped), markup
    assert ":smile:" not in escaped.replace("\\", "") and "\n" not in md("a\n\nb")


def test_bidi_controls_are_shown_visibly():
    assert show_bidi("a\u202eb\u2066c\u200f\u061c") == "a⟨U+202E⟩b⟨U+2066⟩c⟨U+200F⟩⟨U+061C⟩"
    assert md(RLO) == "invoice⟨U+202E⟩gnp.exe"


def _hostile_facilities(db_path, suffix: str) -> None:
    with db.session(db_path) as con:
        con.execute("UPDATE survey_respondents SET facility = facility || ?", [suffix])


def test_ranking_award_line_shows_facility_names_literally(demo_env, app_test):
    _hostile_facilities(demo_env.db_path, " " + HOSTILE_MD + " " + RLO)
    at = app_test("pages/ranking.py")
    at.session_state["flt_kind"] = "year"
    at.session_state["flt_year"] = 2026
    at.run()
    assert not at.exception
    award = [s.value for s in at.success if "CS 우수사업장" in s.value]
    assert award, [s.value for s in at.success]
    line = award[0]
    assert md(HOSTILE_MD) in line and not any(
        live(m, line) for m in (":red[", "](javascript", "<script>", "$x")
    )
    assert "⟨U+202E⟩" in line and "\u202e" not in line
    assert unescape(line.split("**")[1]).endswith(HOSTILE_MD + " invoice⟨U+202E⟩gnp.exe")


def test_rejects_file_round_trip_restores_the_values(tmp_path):
    """A downloaded file that comes back (fixed rejects, filled template) reads as it was written."""
    from ccm.safe_text import restore_frame

    df = pd.DataFrame({"내용": [LINK, "- 주차 문의", "-1.5", "'따옴표", "정상"]})
    back = pd.read_csv(io.BytesIO(csv_bytes(df)), dtype=str, encoding="utf-8-sig")
    assert back["내용"].tolist()[:2] == ["'" + LINK, "'- 주차 문의"]
    assert restore_frame(back)["내용"].tolist() == df["내용"].tolist()


def test_upload_preview_and_warnings_show_file_values_literally(app_test, tmp_path):
    from tests.support.voc_files import row, write_csv

    name = "보고[x](javascript:alert(1)).csv"
    facility = ":red[시설] **b** <script>"
    path = write_csv(
        tmp_path / name, [row("U1", facility=facility), row("U2")], titles=["$x^2$ :smile: 현황"]
    )
    at = app_test("pages/upload.py").run()
    next(u for u in at.file_uploader if u.key == "voc_up_file").set_value(
        (path.name, path.read_bytes(), "text/csv")
    )
    at.run()
    assert not at.exception
    preview = next(m.value for m in at.markdown if "미리 보기" in m.value)
    assert md(name) in preview and not live("](javascript", preview)
    title = next(c.value for c in at.caption if "제목 행" in c.value)
    assert md("$x^2$ :smile: 현황") in title and not live("$", title)
    warned = [w.value for w in at.warning if md(facility) in w.value]
    assert warned, [w.value for w in at.warning]
    assert not any(live(":red[", w.value) or live("<script>", w.value) for w in at.warning)
