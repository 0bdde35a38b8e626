"""The A4 print view of the semiannual report, printed to PDF by real chromium and read back page by
page (pypdf): page n / N on every page, the 결재란 on the first, and no table split over two pages —
so no page holds a lone row or a heading without its table."""

from __future__ import annotations

import io
import re

import pandas as pd
import pytest

from ccm import db, report
from tests.support.constants import NOW_AT as NOW
from tests.support.live_browser import CHROMIUM, CHROMIUM_ARGS, login, open_url, settle


def _pdf_pages(body: str) -> list[str]:
    """The text of each A4 page chromium prints for `body` with the print view's CSS."""
    from playwright.sync_api import sync_playwright

    if not CHROMIUM.exists():
        pytest.skip("/usr/bin/chromium is not installed (apt-get install chromium fonts-noto-cjk)")
    doc = f"<!doctype html><html lang='ko'><head><meta charset='utf-8'><style>{report.PRINT_CSS}</style></head><body>{body}</body></html>"
    with sync_playwright() as p:
        chromium = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            tab = chromium.new_page()
            tab.set_content(doc)
            pdf = tab.pdf(prefer_css_page_size=True)
        finally:
            chromium.close()
    return _read(pdf)


def _read(pdf: bytes) -> list[str]:
    from pypdf import PdfReader

    reader = PdfReader(io.BytesIO(pdf))
    assert all(
        round(float(pg.mediabox.width)) == 595 and round(float(pg.mediabox.height)) == 842
        for pg in reader.pages
    )
    return [pg.extract_text() for pg in reader.pages]


def _numbered(pages: list[str]) -> None:
    for i, text in enumerate(pages, start=1):
        assert re.search(rf"(^|\n){i} / {len(pages)} 쪽(\n|$)", text), f"page {i} has no 'n / N 쪽'"


@pytest.fixture
def demo_summary(demo_env):
    p = report.periods(2026, 1)
    with db.session(demo_env.db_path) as con:
        summ = report.summary(con, 2026, 1, demo_env)
        types = report.dimension(con, p, "voc_type")[
            ["유형", "접수", "비중", "직전 대비", "전년 대비", "준수율"]
        ]
        topics = report.topics(con, p).head(8)
    extras = {
        "유형별 접수·준수율": (types, {"접수": "count", "비중": "pct", "준수율": "pct"}),
        "많이 접수된 주제": (topics, {"건수": "count", "비중": "pct"}),
    }
    return p, summ, extras


def test_print_view_of_the_demo_half_year(demo_summary, demo_env):
    p, summ, extras = demo_summary
    pages = _pdf_pages(
        report.summary_html(
            "반기별 VOC 분석 결과보고서 — 2026년 상반기", summ, p, extras, NOW, report.approval_line(demo_env)
        )
    )
    _numbered(pages)
    assert "결" in pages[0] and "담당 팀장 CCO 이사장" in pages[0]
    for name, (df, _) in extras.items():
        label = df.columns[0]
        holding = [i for i, text in enumerate(pages) if name in text]
        assert len(holding) == 1, f"{name} on pages {holding}"
        text = pages[holding[0]]
        assert all(re.search(rf"(^|\n){re.escape(str(v))} ", text) for v in df[label]), (
            f"{name} split over pages"
        )


def test_no_table_is_split_however_the_tables_fall(demo_summary):
    """Five eight-row tables after the summary: wherever a page ends, a table moves whole to the next
    page with its heading, so every page holds whole tables (never one row of a table)."""
    p, summ, _ = demo_summary
    extras = {
        f"표 {k}": (
            pd.DataFrame({"항목": [f"항목{k}-{i}" for i in range(1, 9)], "건수": range(100, 108)}),
            {"건수": "count"},
        )
        for k in range(1, 6)
    }
    pages = _pdf_pages(report.summary_html("보고서", summ, p, extras, NOW))
    assert len(pages) >= 2
    _numbered(pages)
    for k in range(1, 6):
        rows = [len(re.findall(rf"(^|\n)항목{k}-\d ", text)) for text in pages]
        assert sorted(rows)[-1] == 8 and sum(rows) == 8, f"표 {k}: rows per page {rows}"
        heading = [i for i, text in enumerate(pages) if re.search(rf"(^|\n)표 {k}(\n|$)", text)]
        assert heading == [rows.index(8)], f"표 {k}: heading on {heading}, rows on page {rows.index(8)}"


@pytest.mark.browser
def test_the_apps_print_view_prints_only_the_report(page, server):  # noqa: F811
    """The page the 인쇄용 요약 button opens, printed by chromium from the running app: the report only
    (no sidebar, buttons or hint), numbered pages, the 결재란, and its tables whole."""
    open_url(page, server, "report")
    login(page, "analyst")
    open_url(page, server, "report?print=1&year=2026&half=1")
    page.locator(".ccm-print table.approval").wait_for()
    settle(page)
    pages = _read(page.pdf(prefer_css_page_size=True))
    _numbered(pages)
    text = "\n".join(pages)
    first = re.sub(r"\s+", "", pages[0])  # the title may wrap beside the 결재란
    assert "반기별VOC분석결과보고서—2026년상반기" in first and "담당팀장CCO이사장" in first
    for chrome in ("로그아웃", "데이터 올리기", "Ctrl+P", "Deploy"):
        assert chrome not in text, chrome
    for heading in ("유형별 접수·준수율", "많이 접수된 주제"):
        holding = [i for i, t in enumerate(pages) if heading in t]
        assert len(holding) == 1, heading
