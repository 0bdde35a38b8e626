"""The semiannual VOC report workbook, opened with openpyxl and checked against the queries."""

from __future__ import annotations

import io
import re
from datetime import date, datetime

import openpyxl
import pandas as pd
import pytest

from ccm import db, meeting, report, report_loop
from ccm import voc_analytics as va
from ccm.period import Scope
from tests.support import voc_history, workbook_inspect

NOW = datetime(2026, 1, 10, 10, 0)


def approx(expected):
    """Workbook figures are stored rounded (rates to 6 decimals, others to 4): no 15-digit floats."""
    return pytest.approx(expected, abs=1e-4)


@pytest.fixture
def filled(env, db_path):
    return voc_history.fill(db_path, env)


def build(db_path, settings, include_texts=True, progress=None):
    with db.session(db_path) as con:
        data = report.build_workbook(
            con, settings, 2025, 2, NOW, include_texts=include_texts, progress=progress
        )
    return openpyxl.load_workbook(io.BytesIO(data))


def table(ws, header_row: int = 4) -> pd.DataFrame:
    rows = list(ws.iter_rows(min_row=header_row, values_only=True))
    head = [h for h in rows[0] if h is not None]
    body = []
    for r in rows[1:]:
        if r[0] is None:
            break
        body.append(r[: len(head)])
    return pd.DataFrame(body, columns=head)


def test_every_sheet_in_order_with_a_native_chart(filled, env, db_path):
    wb = build(db_path, env)
    assert wb.sheetnames == list(report.SHEETS)
    for ws in wb:
        if ws.title in report_loop.SHEETS:
            continue  # no actions, training or phone monitoring in this VOC history: their sheets say so (test_phone_report.py)
        assert ws._charts, f"{ws.title} has no chart"
        for chart in ws._charts:
            for s in chart.series:
                ref = (s.val or s.yVal).numRef.f
                assert ref.startswith(f"'{ws.title}'!"), (
                    f"{ws.title}: chart must point at its own table, not {ref}"
                )
    assert workbook_inspect.print_problems(wb) == []  # below its table, readable, axis from 0; A4 set up


def test_summary_figures_match_the_queries_and_the_raw_rows(filled, env, db_path):
    ws = build(db_path, env)["요약"]
    summ = table(ws).set_index("지표")
    p = report.periods(2025, 2)
    with db.session(db_path) as con:
        cur, prev, ly = (va.compliance_summary(con, s) for s in (p.current, p.previous, p.last_year))
    assert summ.loc["접수 건수", "2025년 하반기"] == cur["received"]
    assert summ.loc["접수 건수", "2025년 상반기"] == prev["received"]
    assert summ.loc["접수 건수", "2024년 하반기"] == ly["received"]
    assert summ.loc["처리기한 준수율", "2025년 하반기"] == approx(cur["compliance"])
    assert summ.loc["처리기한 준수율", "직전 대비"] == approx((cur["compliance"] - prev["compliance"]) * 100)
    assert summ.loc["접수 건수", "전년 대비"] == approx(cur["received"] / ly["received"] - 1)
    # independent of the queries: straight from the rows written
    rows = filled[(filled["received_at"] >= "2025-07-01") & (filled["received_at"] < "2026-01-01")]
    assert cur["received"] == len(rows)
    assert summ.loc["불만·고충 건수", "2025년 하반기"] == rows["voc_type"].isin(["불만", "고충"]).sum()
    assert summ.loc["칭찬 건수", "2025년 하반기"] == (rows["voc_type"] == "칭찬").sum()
    decided = rows["sla_met"].dropna()
    assert summ.loc["처리기한 준수율", "2025년 하반기"] == approx(decided.mean())


def test_summary_number_formats(filled, env, db_path):
    ws = build(db_path, env)["요약"]
    labels = {ws.cell(r, 1).value: r for r in range(5, 14)}
    assert ws.cell(labels["처리기한 준수율"], 2).number_format == report.PCT
    assert ws.cell(labels["처리기한 준수율"], 5).number_format == report.PP
    assert ws.cell(labels["접수 건수"], 2).number_format == report.COUNT


@pytest.mark.parametrize(
    "sheet,dim",
    [("유형별", "voc_type"), ("채널별", "channel"), ("부서별", "department"), ("시설별", "facility")],
)
def test_dimension_sheets_match_compliance_by(filled, env, db_path, sheet, dim):
    got = table(build(db_path, env)[sheet]).set_index(va.DIMENSIONS[dim])
    p = report.periods(2025, 2)
    with db.session(db_path) as con:
        cur = va.compliance_by(con, p.current, dim).set_index(dim)
        ly = va.compliance_by(con, p.last_year, dim).set_index(dim)
    assert set(got.index) == set(cur.index)
    for key in cur.index:
        assert got.loc[key, "접수"] == cur.loc[key, "received"]
        assert got.loc[key, "준수율"] == approx(cur.loc[key, "compliance"])
        assert got.loc[key, "전년 동기 접수"] == ly.loc[key, "received"]
    assert list(got["접수"]) == sorted(got["접수"], reverse=True)


def test_compliance_sheet_matches_monthly_compliance(filled, env, db_path):
    got = table(build(db_path, env)["처리기한 준수"])
    with db.session(db_path) as con:
        m = va.monthly_compliance(con, report.periods(2025, 2).current)
    assert list(got["월"]) == ["7월", "8월", "9월", "10월", "11월", "12월"]
    assert list(got["접수"]) == list(m["received"])
    assert list(got["준수율"]) == approx(list(m["compliance"]))


def test_topic_prevention_recurrence_and_faq_sheets_match_the_queries(filled, env, db_path):
    wb = build(db_path, env)
    cur = report.periods(2025, 2).current
    with db.session(db_path) as con:
        topics = va.topic_counts(con, cur)
        matrix = va.prevention_matrix(con, cur, env)
        rec = va.recurrences(con, cur, env)
        faq = va.faq_candidates(con, cur, env, with_text=True)
    assert not topics.empty and not matrix.empty and not rec.empty and not faq.empty
    assert dict(zip(*table(wb["키워드·주제"])[["주제", "건수"]].T.values)) == dict(
        zip(topics["topic"], topics["items"])
    )
    got = table(wb["경중도×빈도"])
    assert list(got["주제"]) == list(matrix["topic"]) and list(got["발생빈도"]) == list(matrix["frequency"])
    got = table(wb["재발"])
    assert list(got["재발 건수"]) == list(rec["recurrences"])
    got = table(wb["FAQ 후보"])
    assert list(got["주제"]) == list(faq["topic"]) and "예시 문의(개인정보 가림)" in got.columns


def test_faq_examples_left_out_without_text_rights(filled, env, db_path):
    got = table(build(db_path, env, include_texts=False)["FAQ 후보"])
    assert not any("예시" in c for c in got.columns)


def test_progress_reaches_one_in_order(filled, env, db_path):
    calls = []
    build(db_path, env, progress=lambda f, m: calls.append((f, m)))
    fractions = [f for f, _ in calls]
    assert fractions == sorted(fractions) and fractions[-1] == 1.0
    assert any("유형별" in m for _, m in calls)


def test_empty_database_still_gives_every_sheet(env, db_path):
    wb = build(db_path, env)
    assert wb.sheetnames == list(report.SHEETS)
    assert wb["유형별"].cell(5, 1).value == "이 반기에 해당하는 데이터가 없습니다."
    assert workbook_inspect.print_problems(wb) == []
    assert table(wb["요약"]).set_index("지표").loc["접수 건수", "2025년 하반기"] == 0


def test_summary_html_is_a4_with_local_fonts(filled, env, db_path):
    with db.session(db_path) as con:
        summ = report.summary(con, 2025, 2, env)
    page = report.summary_html("보고서", summ, report.periods(2025, 2), {}, NOW)
    assert "2025년 하반기" in page and "처리기한 준수율" in page
    assert "size: A4" in report.PRINT_CSS and "Malgun Gothic" in report.PRINT_CSS
    assert "http" not in report.PRINT_CSS and "@import" not in report.PRINT_CSS
    assert 'counter(page) " / " counter(pages)' in report.PRINT_CSS  # page n / N in the bottom margin


def test_summary_html_has_an_approval_box_from_the_settings(filled, env, db_path):
    with db.session(db_path) as con:
        summ = report.summary(con, 2025, 2, env)
    page = report.summary_html("보고서", summ, report.periods(2025, 2), {}, NOW, report.approval_line(env))
    assert re.search(r'class="approval".*<th>담당</th><th>팀장</th><th>CCO</th><th>이사장</th>', page, re.S)
    custom = report.approval_line(
        {**env.raw, "report": {"approval_line": ["담당", "팀장", "본부장", "사장"]}}
    )
    assert "<th>본부장</th><th>사장</th>" in report.summary_html(
        "보고서", summ, report.periods(2025, 2), {}, NOW, custom
    )


def test_topic_sheet_counts_complaints_per_topic_from_the_rows(filled, env, db_path):
    got = table(build(db_path, env)["키워드·주제"]).set_index("주제")
    rows = filled[(filled["received_at"] >= "2025-07-01") & (filled["received_at"] < "2026-01-01")]
    complaints = rows[rows["voc_type"].isin(["불만", "고충"])]["title"].str.split(" ").str[0].value_counts()
    for topic, n in complaints.items():
        assert got.loc[topic, "불만·고충 건수"] == n


def test_meeting_figures_match_the_queries_and_the_rows(filled, env, db_path):
    now = datetime(2025, 12, 31, 12, 0)
    with db.session(db_path) as con:
        f = meeting.figures(con, now, env)
        this_year = va.compliance_summary(con, Scope(date(2025, 1, 1), date(2026, 1, 1)))
        last_year = va.compliance_summary(con, Scope(date(2024, 1, 1), date(2025, 1, 1)))
        open_now = va.open_counts(con, meeting.ALL_TIME, now, env)
    assert f["pcsi"] is None and f["kpi"] is None  # no survey, no KPI workbook in this set
    assert f["compliance"]["compliance"] == approx(this_year["compliance"])
    assert f["compliance"]["previous"] == approx(last_year["compliance"])
    assert f["open"] == open_now
    recent = filled[(filled["received_at"] >= "2025-10-02") & filled["voc_type"].isin(["불만", "고충"])]
    expected = recent["title"].str.split(" ").str[0].value_counts()
    assert dict(zip(f["topics"]["주제"], f["topics"]["건수"])) == dict(expected.head(5))
