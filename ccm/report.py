"""반기별 VOC 분석 결과보고서 (manual §4.2.1-3⑤, §5.1.2-3): one Excel workbook per half-year.

Every figure comes from the query functions of ccm.voc_analytics (the same numbers the pages show);
each sheet carries a native Excel chart (openpyxl.chart) that points at its own table, and compares
the half-year with the previous half-year and the same half of last year.
"""

from __future__ import annotations

import html
import io
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime

import duckdb
import pandas as pd
from openpyxl import Workbook
from openpyxl.chart import LineChart, Reference, ScatterChart, Series

from ccm import report_loop
from ccm import voc_analytics as va
from ccm import xlsx_style as xs
from ccm.period import Scope, period
from ccm.safe_text import show_bidi
from ccm.settings import Settings, typed
from ccm.settings_sections import RankingSettings, ReportSettings

SHEETS = (
    "요약",
    "유형별",
    "채널별",
    "부서별",
    "시설별",
    "처리기한 준수",
    "키워드·주제",
    "경중도×빈도",
    "재발",
    "FAQ 후보",
    *report_loop.SHEETS,
)
COUNT, PCT, PP, HOURS, NUM = (xs.FORMATS[k] for k in ("count", "pct", "pp", "hours", "num"))
CHANGE = xs.CHANGE
ProgressFn = Callable[[float, str], None]


@dataclass(frozen=True)
class Periods:
    current: Scope
    previous: Scope
    last_year: Scope

    @property
    def labels(self) -> tuple[str, str, str]:
        return self.current.label, self.previous.label, self.last_year.label


def periods(year: int, half: int) -> Periods:
    """The half-year, the half-year before it and the same half of last year (all departments)."""
    prev_year, prev_half = (year, 1) if half == 2 else (year - 1, 2)
    return Periods(
        period("half", year, half), period("half", prev_year, prev_half), period("half", year - 1, half)
    )


# ---------------------------------------------------------------------------------------------
# Frames (Korean headings), one per sheet


def _median_hours(con: duckdb.DuckDBPyConnection, scope: Scope) -> float | None:
    """Median working hours from clock start to completion over the scope's completed items."""
    where, params = scope.where()
    v = con.execute(f"SELECT median(work_minutes) / 60.0 FROM voc WHERE {where}", params).fetchone()[0]
    return None if v is None else float(v)


def _type_counts(con: duckdb.DuckDBPyConnection, scope: Scope, types: tuple[str, ...]) -> int:
    df = va.compliance_by(con, scope, "voc_type")
    return int(df.loc[df["voc_type"].isin(types), "received"].sum()) if not df.empty else 0


def summary(con: duckdb.DuckDBPyConnection, year: int, half: int, settings: Settings) -> pd.DataFrame:
    """Key figures for the half-year, the previous half-year and the same half last year.

    Columns: 지표, 이번, 직전, 전년, 직전 대비, 전년 대비, 형식 (count | pct | hours). Changes are relative
    (증감률) for counts and hours and in percentage points for rates."""
    p = periods(year, half)
    complaint, praise = settings.complaint_types, settings.ranking.praise_type
    rows: dict[str, list] = {}
    for scope in (p.current, p.previous, p.last_year):
        s = va.compliance_summary(con, scope)
        c = _type_counts(con, scope, complaint)
        values = {
            "접수 건수": (s["received"], "count"),
            "처리 완료 건수": (s["completed"], "count"),
            "처리일시 없음(완료, 판정 제외)": (s["no_time"], "count"),
            "처리율(완료 ÷ 접수)": (s["completed"] / s["received"] if s["received"] else None, "pct"),
            "처리기한 준수율": (s["compliance"], "pct"),
            "기한 초과 처리 건수": (s["breached"], "count"),
            "처리시간 중앙값(근무시간)": (_median_hours(con, scope), "hours"),
            "불만·고충 건수": (c, "count"),
            "불만·고충 비중": (c / s["received"] if s["received"] else None, "pct"),
            "칭찬 건수": (_type_counts(con, scope, (praise,)), "count"),
        }
        for k, (v, kind) in values.items():
            rows.setdefault(k, [kind]).append(v)
    out = []
    for name, (kind, cur, prev, ly) in rows.items():
        out.append(
            {
                "지표": name,
                "이번": cur,
                "직전": prev,
                "전년": ly,
                "직전 대비": _change(cur, prev, kind),
                "전년 대비": _change(cur, ly, kind),
                "형식": kind,
            }
        )
    return pd.DataFrame(out)


def _change(cur, base, kind: str) -> float | None:
    if cur is None or base is None or pd.isna(cur) or pd.isna(base):
        return None
    if kind == "pct":
        return (cur - base) * 100
    return (cur - base) / base if base else None


def dimension(con: duckdb.DuckDBPyConnection, p: Periods, dim: str) -> pd.DataFrame:
    """Received and compliance per value of `dim` for the three periods, with changes and shares."""
    label = va.DIMENSIONS[dim]
    frames = [va.compliance_by(con, s, dim) for s in (p.current, p.previous, p.last_year)]
    cur = frames[0]
    if cur.empty:
        return pd.DataFrame(
            columns=[
                label,
                "접수",
                "비중",
                "직전 반기 접수",
                "직전 대비",
                "전년 동기 접수",
                "전년 대비",
                "처리 완료",
                "기한 내 처리",
                "준수율",
                "직전 반기 준수율",
                "전년 동기 준수율",
            ]
        )
    m = cur.merge(frames[1][[dim, "received", "compliance"]], on=dim, how="left", suffixes=("", "_prev"))
    m = m.merge(
        frames[2][[dim, "received", "compliance"]].rename(
            columns={"received": "received_ly", "compliance": "compliance_ly"}
        ),
        on=dim,
        how="left",
    )
    m = m.sort_values(["received", dim], ascending=[False, True])
    total = m["received"].sum()
    return pd.DataFrame(
        {
            label: m[dim].astype(str),
            "접수": m["received"],
            "비중": m["received"] / total if total else None,
            "직전 반기 접수": m["received_prev"].fillna(0).astype("int64"),
            "직전 대비": (m["received"] / m["received_prev"] - 1).where(m["received_prev"] > 0),
            "전년 동기 접수": m["received_ly"].fillna(0).astype("int64"),
            "전년 대비": (m["received"] / m["received_ly"] - 1).where(m["received_ly"] > 0),
            "처리 완료": m["decided"],
            "기한 내 처리": m["met"],
            "준수율": m["compliance"],
            "직전 반기 준수율": m["compliance_prev"],
            "전년 동기 준수율": m["compliance_ly"],
        }
    ).reset_index(drop=True)


def monthly(con: duckdb.DuckDBPyConnection, p: Periods) -> pd.DataFrame:
    """Per month of the half-year: received and compliance, next to the same month last year."""
    cur = va.monthly_compliance(con, p.current)
    ly = va.monthly_compliance(con, p.last_year)
    months = [p.current.start.month + i for i in range(6)]
    cur_m = {pd.Timestamp(r.month).month: r for r in cur.itertuples()}
    ly_m = {pd.Timestamp(r.month).month: r for r in ly.itertuples()}
    rows = []
    for mth in months:
        c, last = cur_m.get(mth), ly_m.get(mth)
        rows.append(
            {
                "월": f"{mth}월",
                "접수": c.received if c else 0,
                "전년 동월 접수": last.received if last else 0,
                "준수율": c.compliance if c else None,
                "전년 동월 준수율": last.compliance if last else None,
                "처리시간 중앙값(근무시간)": c.median_hours if c else None,
            }
        )
    return pd.DataFrame(rows)


def processing(con: duckdb.DuckDBPyConnection, p: Periods) -> pd.DataFrame:
    df = va.processing_time_by_type(con, p.current)
    return pd.DataFrame(
        {
            "유형": df["voc_type"],
            "처리 완료": df["completed"],
            "중앙값(근무시간)": df["median_hours"],
            "P90(근무시간)": df["p90_hours"],
            "평균(근무시간)": df["mean_hours"],
            "처리기한(근무시간)": df["deadline_hours"],
            "중앙값 ÷ 기한": df["median_share"],
        }
    )


def complaint_topics(
    con: duckdb.DuckDBPyConnection, start: date, end: date, types: tuple[str, ...], limit: int = 5
) -> pd.DataFrame:
    """Most frequent topics among complaint-type items received in [start, end) — what people complain
    about. Small query of its own: ccm.voc_analytics.topic_counts counts every type."""
    marks = ", ".join("?" * len(types)) or "NULL"
    return con.execute(
        f"""SELECT t.topic AS 주제, count(*) AS 건수 FROM voc_topics t JOIN voc v USING (voc_id)
            WHERE v.received_at >= ? AND v.received_at < ? AND v.voc_type IN ({marks}) AND t.topic <> ?
            GROUP BY t.topic ORDER BY 건수 DESC, t.topic LIMIT {int(limit)}""",
        [start, end, *types, va.NO_TOPIC],
    ).df()


def topics(
    con: duckdb.DuckDBPyConnection,
    p: Periods,
    complaint_types: tuple[str, ...] = RankingSettings.complaint_types,
) -> pd.DataFrame:
    """Items per topic in the half-year (with the previous half and last year) and how many of them
    are complaints (불만·고충)."""
    cur = va.topic_counts(con, p.current)
    if cur.empty:
        return pd.DataFrame(
            columns=["주제", "건수", "비중", "불만·고충 건수", "직전 반기 건수", "전년 동기 건수"]
        )
    prev = va.topic_counts(con, p.previous)
    ly = va.topic_counts(con, p.last_year)
    comp = complaint_topics(con, p.current.start, p.current.end, complaint_types, limit=1000)
    pm = dict(zip(prev.get("topic", []), prev.get("items", [])))
    lm = dict(zip(ly.get("topic", []), ly.get("items", [])))
    cm = dict(zip(comp["주제"], comp["건수"]))
    return pd.DataFrame(
        {
            "주제": cur["topic"],
            "건수": cur["items"],
            "비중": cur["share"],
            "불만·고충 건수": [int(cm.get(t, 0)) for t in cur["topic"]],
            "직전 반기 건수": [int(pm.get(t, 0)) for t in cur["topic"]],
            "전년 동기 건수": [int(lm.get(t, 0)) for t in cur["topic"]],
        }
    )


def other_share_line(con: duckdb.DuckDBPyConnection, p: Periods) -> str:
    """The half-year's '기타' share in one sentence (what the topic dictionary leaves unclassified)."""
    cov = va.text_coverage(con, p.current)
    if not cov["analysed"]:
        return f"기타 비중: 키워드·주제 분석 전 (접수 {cov['items']:,}건)"
    line = (
        f"기타(어느 주제에도 맞지 않음) 비중 {cov['other_share'] * 100:.1f}% — 분석한 {cov['analysed']:,}건 중 "
        f"{cov['other']:,}건"
    )
    return line + (
        f" (분석 전 {cov['items'] - cov['analysed']:,}건 제외)" if cov["items"] > cov["analysed"] else ""
    )


def keywords(con: duckdb.DuckDBPyConnection, p: Periods, settings: Settings) -> pd.DataFrame:
    df = va.top_keywords(con, p.current, settings, 30)
    if df.empty:
        return pd.DataFrame(columns=["키워드", "건수", "직전 반기 건수", "증감"])
    return pd.DataFrame(
        {"키워드": df["keyword"], "건수": df["items"], "직전 반기 건수": df["previous"], "증감": df["change"]}
    )


def prevention(con: duckdb.DuckDBPyConnection, p: Periods, settings: Settings) -> pd.DataFrame:
    df = va.prevention_matrix(con, p.current, settings)
    if df.empty:
        return pd.DataFrame(columns=["주제", "발생빈도", "경중도", "점수(빈도×경중도)", "구분", "개선 후보"])
    return pd.DataFrame(
        {
            "주제": df["topic"],
            "발생빈도": df["frequency"],
            "경중도": df["severity"],
            "점수(빈도×경중도)": df["score"],
            "구분": df["quadrant"],
            "개선 후보": df["candidate"].astype(bool),
        }
    )


def recurrence(con: duckdb.DuckDBPyConnection, p: Periods, settings: Settings) -> pd.DataFrame:
    df = va.recurrences(con, p.current, settings)
    if df.empty:
        return pd.DataFrame(columns=["시설·주제", "시설", "주제", "건수", "재발 건수", "재발률", "최근 재발"])
    return pd.DataFrame(
        {
            "시설·주제": df["facility"] + " · " + df["topic"],
            "시설": df["facility"],
            "주제": df["topic"],
            "건수": df["items"],
            "재발 건수": df["recurrences"],
            "재발률": df["rate"],
            "최근 재발": pd.to_datetime(df["last_recurrence"]).dt.normalize(),
        }
    )


def faq(con: duckdb.DuckDBPyConnection, p: Periods, settings: Settings, include_texts: bool) -> pd.DataFrame:
    df = va.faq_candidates(con, p.current, settings, with_text=include_texts)
    cols = ["주제", "문의 건수", "문의 중 비중", "시설"] + (
        ["예시 문의(개인정보 가림)"] if include_texts else []
    )
    if df.empty:
        return pd.DataFrame(columns=cols)
    out = pd.DataFrame(
        {"주제": df["topic"], "문의 건수": df["items"], "문의 중 비중": df["share"], "시설": df["facilities"]}
    )
    if include_texts:
        out["예시 문의(개인정보 가림)"] = df["examples"]
    return out


# ---------------------------------------------------------------------------------------------
# Writing: each sheet top to bottom (ccm.xlsx_style.Page) — title, table, its charts below it


DIM_KINDS = {
    "접수": "count",
    "비중": "pct",
    "직전 반기 접수": "count",
    "직전 대비": "change",
    "전년 동기 접수": "count",
    "전년 대비": "change",
    "처리 완료": "count",
    "기한 내 처리": "count",
    "준수율": "pct",
    "직전 반기 준수율": "pct",
    "전년 동기 준수율": "pct",
}
MONTH_KINDS = {
    "접수": "count",
    "전년 동월 접수": "count",
    "준수율": "pct",
    "전년 동월 준수율": "pct",
    "처리시간 중앙값(근무시간)": "hours",
}
EMPTY = "이 반기에 해당하는 데이터가 없습니다."
_bar = xs.bar_chart  # the one bar chart of every sheet (ccm.xlsx_style)


def _line(page: xs.Page, ref: xs.Table, cat: str, values: list[str], title: str, kind: str) -> None:
    if ref.rows == 0:
        return
    chart = LineChart()
    for name in values:
        chart.add_data(
            Reference(page.ws, min_col=ref.col(name), min_row=ref.header_row, max_row=ref.last_row),
            titles_from_data=True,
        )
    chart.set_categories(
        Reference(page.ws, min_col=ref.col(cat), min_row=ref.header_row + 1, max_row=ref.last_row)
    )
    xs.style_chart(chart, title, value_kind=kind)
    if kind == "pct":
        chart.y_axis.scaling.max = 1
    page.chart(chart, height_cm=7.5)


def _scatter(page: xs.Page, ref: xs.Table, x: str, y: str, title: str) -> None:
    if ref.rows == 0:
        return
    chart = ScatterChart()
    chart.style = 13
    xs_ref = Reference(page.ws, min_col=ref.col(x), min_row=ref.header_row + 1, max_row=ref.last_row)
    ys_ref = Reference(page.ws, min_col=ref.col(y), min_row=ref.header_row + 1, max_row=ref.last_row)
    s = Series(ys_ref, xs_ref, title="주제")
    s.marker.symbol, s.marker.size = "circle", 8
    s.graphicalProperties.line.noFill = True
    chart.series.append(s)
    xs.style_chart(chart, title, value_kind="num", value_title=y, category_title=x)
    chart.x_axis.scaling.min = 0
    chart.legend = None
    page.chart(chart, height_cm=9)


def _dimension_sheet(page: xs.Page, df: pd.DataFrame, p: Periods, what: str) -> None:
    page.title(
        f"{what} VOC 접수·처리기한 준수",
        f"{p.current.label} · 비교: 직전 반기({p.previous.label}), "
        f"전년 동기({p.last_year.label}). 준수율 = 기한 내 처리 ÷ 처리 완료.",
    )
    ref = page.table(df, kinds=DIM_KINDS, empty=EMPTY)
    label = ref.columns[0]
    _bar(
        page, ref, df, label, ["접수", "직전 반기 접수", "전년 동기 접수"], f"{what} 접수 건수 비교", "count"
    )
    _bar(page, ref, df, label, ["준수율", "전년 동기 준수율"], f"{what} 처리기한 준수율", "pct")


def _summary_sheet(
    page: xs.Page, summ: pd.DataFrame, months: pd.DataFrame, p: Periods, open_now: dict, now: datetime
) -> None:
    page.title(
        f"반기별 VOC 분석 결과보고서 — {p.current.label}",
        f"비교: 직전 반기 {p.previous.label}, 전년 동기 {p.last_year.label} · 작성 {now:%Y-%m-%d %H:%M}",
    )
    table = summ.rename(
        columns={"이번": p.current.label, "직전": p.previous.label, "전년": p.last_year.label}
    )
    kinds = {label: "pct" for label in p.labels} | {"직전 대비": "change", "전년 대비": "change"}
    ref = page.table(table.drop(columns=["형식"]), kinds=kinds)
    fmt = {"count": xs.FORMATS["count"], "pct": PCT, "hours": HOURS}
    change = {"count": CHANGE, "pct": PP, "hours": CHANGE}
    for i, kind in enumerate(summ["형식"], start=ref.header_row + 1):
        for j in (2, 3, 4):
            page.ws.cell(i, j).number_format = fmt[kind]
        for j in (5, 6):
            page.ws.cell(i, j).number_format = change[kind]
    page.row -= 1
    page.text(
        f"현재({now:%Y-%m-%d %H:%M}) 미처리 {open_now.get('open', 0):,}건 · 기한 초과 "
        f"{open_now.get('overdue', 0):,}건 · 임박 {open_now.get('at_risk', 0):,}건",
        bold=True,
    )
    page.text(
        "정의: 준수율 = 기한 내 처리 ÷ 처리 완료(판정) 건, 처리시간 = 접수 후 근무시간(업무일 09~18시, "
        "휴게 1시간, 주말·공휴일 제외). 증감: 건수는 증감률, 비율은 %p.",
        color="595959",
    )
    page.gap()
    page.text(f"월별 접수·처리기한 준수 ({p.current.label}, 전년 동월 대비)", bold=True, keep_with_next=True)
    mref = page.table(months, kinds=MONTH_KINDS)
    _bar(
        page,
        mref,
        months,
        "월",
        ["접수", "전년 동월 접수"],
        "월별 접수 건수 (전년 동월 대비)",
        "count",
        horizontal=False,
    )
    _line(page, mref, "월", ["준수율", "전년 동월 준수율"], "월별 처리기한 준수율", "pct")


def build_workbook(
    con: duckdb.DuckDBPyConnection,
    settings: Settings,
    year: int,
    half: int,
    now: datetime,
    *,
    include_texts: bool = True,
    progress: ProgressFn | None = None,
) -> bytes:
    """The semiannual report as .xlsx bytes. `progress(fraction, message)` is called per sheet."""
    p = periods(year, half)
    wb = Workbook()
    wb.remove(wb.active)
    doc = f"반기별 VOC 분석 결과보고서 {p.current.label}"
    steps: list[tuple[str, Callable[[xs.Page], None]]] = [
        (
            "요약",
            lambda pg: _summary_sheet(
                pg,
                summary(con, year, half, settings),
                monthly(con, p),
                p,
                va.open_counts(con, Scope(date(1900, 1, 1), date(9999, 1, 1)), now, settings),
                now,
            ),
        ),
        ("유형별", lambda pg: _dimension_sheet(pg, dimension(con, p, "voc_type"), p, "유형별")),
        ("채널별", lambda pg: _dimension_sheet(pg, dimension(con, p, "channel"), p, "채널별")),
        ("부서별", lambda pg: _dimension_sheet(pg, dimension(con, p, "department"), p, "부서별")),
        ("시설별", lambda pg: _dimension_sheet(pg, dimension(con, p, "facility"), p, "시설별")),
        ("처리기한 준수", lambda pg: _compliance_sheet(pg, con, p)),
        ("키워드·주제", lambda pg: _topic_sheet(pg, con, p, settings)),
        ("경중도×빈도", lambda pg: _prevention_sheet(pg, con, p, settings)),
        ("재발", lambda pg: _recurrence_sheet(pg, con, p, settings)),
        ("FAQ 후보", lambda pg: _faq_sheet(pg, con, p, settings, include_texts)),
        ("개선과제", lambda pg: report_loop.actions_sheet(pg, con, p.current, now, settings)),
        ("교육 이수", lambda pg: report_loop.training_sheet(pg, con, p.current, now)),
        ("전화친절도", lambda pg: report_loop.phone_sheet(pg, con, p.current, now, settings)),
    ]
    for i, (name, write) in enumerate(steps):
        if progress:
            progress(i / (len(steps) + 1), f"'{name}' 시트 작성 중…")
        page = xs.Page(wb.create_sheet(name), print_title=doc)
        write(page)
        page.finish()
    if progress:
        progress(len(steps) / (len(steps) + 1), "파일 저장 중…")
    buf = io.BytesIO()
    wb.save(buf)
    if progress:
        progress(1.0, "완료")
    return buf.getvalue()


def _compliance_sheet(page: xs.Page, con, p: Periods) -> None:
    page.title(
        "처리기한 준수", f"{p.current.label} · 월별 준수율(전년 동월 대비)과 유형별 처리시간(근무시간 기준)"
    )
    months = monthly(con, p)
    ref = page.table(months, kinds=MONTH_KINDS)
    _line(page, ref, "월", ["준수율", "전년 동월 준수율"], "월별 처리기한 준수율", "pct")
    proc = processing(con, p)
    page.text("유형별 처리시간과 처리기한 (근무시간)", bold=True, keep_with_next=True)
    pref = page.table(
        proc,
        kinds={
            "처리 완료": "count",
            "중앙값(근무시간)": "hours",
            "P90(근무시간)": "hours",
            "평균(근무시간)": "hours",
            "처리기한(근무시간)": "hours",
            "중앙값 ÷ 기한": "pct",
        },
        empty=EMPTY,
    )
    _bar(
        page,
        pref,
        proc,
        "유형",
        ["중앙값(근무시간)", "P90(근무시간)", "처리기한(근무시간)"],
        "유형별 처리시간과 처리기한",
        "hours",
        horizontal=False,
    )


def _topic_sheet(page: xs.Page, con, p: Periods, settings: Settings) -> None:
    page.title(
        "키워드·주제",
        f"{p.current.label} · 주제는 설정의 주제 사전으로 분류(낱말 단위, 한 건이 여러 주제일 수 "
        "있음), 키워드는 명사(불용어·상용구 제외)를 언급한 건수",
    )
    ctypes = settings.complaint_types
    tops = topics(con, p, ctypes)
    ref = page.table(
        tops,
        kinds={
            "건수": "count",
            "비중": "pct",
            "불만·고충 건수": "count",
            "직전 반기 건수": "count",
            "전년 동기 건수": "count",
        },
        empty=EMPTY,
    )
    _bar(
        page,
        ref,
        tops,
        "주제",
        ["건수", "불만·고충 건수", "직전 반기 건수", "전년 동기 건수"],
        "주제별 VOC 건수",
        "count",
        horizontal=True,
    )
    page.text(other_share_line(con, p), bold=True)
    kw = keywords(con, p, settings)
    page.text("상위 키워드 (직전 반기 대비)", bold=True, keep_with_next=True)
    kref = page.table(
        kw, kinds={"건수": "count", "직전 반기 건수": "count", "증감": "signed_count"}, empty=EMPTY
    )
    _bar(page, kref, kw, "키워드", ["건수"], "상위 키워드", "count", horizontal=True, limit=15)


def _prevention_sheet(page: xs.Page, con, p: Periods, settings: Settings) -> None:
    page.title(
        "경중도 × 발생빈도 (잠재 불만 예방, 매뉴얼 §4.3.1)",
        f"{p.current.label} · 경중도 = 유형별 가중치의 평균(설정), 발생빈도 = 건수. 두 축 모두 평균 이상이면 '개선 우선'.",
    )
    ref = page.table(
        prevention(con, p, settings),
        kinds={"발생빈도": "count", "경중도": "num", "점수(빈도×경중도)": "num", "개선 후보": "bool"},
        empty=EMPTY,
    )
    _scatter(page, ref, "발생빈도", "경중도", "주제별 경중도 × 발생빈도")


def _recurrence_sheet(page: xs.Page, con, p: Periods, settings: Settings) -> None:
    days = settings.trends.recurrence_days
    page.title(
        "재발 (같은 시설의 같은 문제, 매뉴얼 §4.3.1-5)",
        f"{p.current.label} · 같은 시설·같은 주제의 앞선 건이 처리된 뒤 {days}일 안에 다시 접수되면 재발",
    )
    rec = recurrence(con, p, settings)
    ref = page.table(
        rec, kinds={"건수": "count", "재발 건수": "count", "재발률": "pct", "최근 재발": "date"}, empty=EMPTY
    )
    _bar(page, ref, rec, "시설·주제", ["재발 건수"], "재발 건수 상위", "count", horizontal=True, limit=15)


def _faq_sheet(page: xs.Page, con, p: Periods, settings: Settings, include_texts: bool) -> None:
    note = "" if include_texts else " · 예시 문의는 열람 권한에서 제외"
    page.title("FAQ 후보 (자주 묻는 질문)", f"{p.current.label} · 문의 유형에서 가장 많이 반복된 주제{note}")
    df = faq(con, p, settings, include_texts)
    ref = page.table(df, kinds={"문의 건수": "count", "문의 중 비중": "pct"}, empty=EMPTY)
    _bar(page, ref, df, "주제", ["문의 건수"], "FAQ 후보 주제별 문의 건수", "count", horizontal=True)


# ---------------------------------------------------------------------------------------------
# Print view (A4) of the summary


def _fmt(v, kind: str, change: bool = False) -> str:
    if v is None or pd.isna(v):
        return "—"
    if change:
        return f"{v:+.1f}%p" if kind == "pct" else f"{v * 100:+.1f}%"
    return {"count": f"{v:,.0f}", "pct": f"{v * 100:.1f}%", "hours": f"{v:.1f}시간"}[kind]


def summary_display(summ: pd.DataFrame, p: Periods) -> pd.DataFrame:
    """The summary as formatted text (counts with separators, rates in %, changes signed)."""
    out = pd.DataFrame({"지표": summ["지표"]})
    for col, label in zip(("이번", "직전", "전년"), p.labels):
        out[label] = [_fmt(v, k) for v, k in zip(summ[col], summ["형식"])]
    for col in ("직전 대비", "전년 대비"):
        out[col] = [_fmt(v, k, True) for v, k in zip(summ[col], summ["형식"])]
    return out


APPROVAL = (
    ReportSettings().approval_line
)  # 결재란: CCM 담당자 → 주관부서장 → CCO → 최고경영자 (manual §3.1.1)


def approval_line(settings: Settings | dict) -> tuple[str, ...]:
    """The 결재란's positions: [report] approval_line in settings, the manual's line by default."""
    return typed(settings).report.approval_line


def summary_html(
    title: str,
    summ: pd.DataFrame,
    p: Periods,
    extras: dict[str, tuple[pd.DataFrame, dict[str, str]]],
    now: datetime,
    approval: tuple[str, ...] = APPROVAL,
) -> str:
    """Self-contained A4 HTML of the summary; local fonts only (Malgun Gothic / Noto Sans CJK). A 결재란
    beside the title; each table with its heading is one block a page break never splits, and the
    page margin shows page n / N (PRINT_CSS)."""
    blocks = "".join(
        f'<section class="block"><h2>{html.escape(name)}</h2>{_html_table(df, kinds)}</section>'
        for name, (df, kinds) in extras.items()
        if not df.empty
    )
    return f"""<div class="ccm-print">
<div class="head"><div><h1>{html.escape(title)}</h1>
<p class="sub">비교: 직전 반기 {html.escape(p.previous.label)} · 전년 동기 {html.escape(p.last_year.label)} · 작성 {now:%Y-%m-%d %H:%M}</p></div>
{_approval_box(approval)}</div>
<section class="block">{_html_table(summary_display(summ, p), {})}
<p class="note">준수율 = 기한 내 처리 ÷ 처리 완료 건. 처리시간 = 접수 후 근무시간(주말·공휴일·휴게 제외). 증감: 건수는 증감률, 비율은 %p.</p></section>
{blocks}</div>"""


def _approval_box(positions: tuple[str, ...]) -> str:
    if not positions:
        return ""
    names = "".join(f"<th>{html.escape(str(n))}</th>" for n in positions)
    signs = "<td></td>" * len(positions)
    return (
        f'<table class="approval"><tr><th class="label" rowspan="2">결<br>재</th>{names}</tr>'
        f"<tr>{signs}</tr></table>"
    )


def _html_table(df: pd.DataFrame, kinds: dict[str, str]) -> str:
    """kinds: column → count | pct | change (relative, signed) — anything else is shown as text."""
    head = "".join(f"<th>{html.escape(show_bidi(str(c)))}</th>" for c in df.columns)
    rows = "".join(
        "<tr>"
        + "".join(f"<td>{html.escape(_cell(v, kinds.get(c, '')))}</td>" for c, v in zip(df.columns, r))
        + "</tr>"
        for r in df.itertuples(index=False)
    )
    return f"<table><thead><tr>{head}</tr></thead><tbody>{rows}</tbody></table>"


def _cell(v, kind: str) -> str:
    if v is None or (not isinstance(v, str) and pd.isna(v)):
        return "—"
    if kind == "count":
        return f"{v:,.0f}"
    if kind == "pct":
        return f"{v * 100:.1f}%"
    if kind == "change":
        return f"{v * 100:+.1f}%"
    return show_bidi(str(v))


PRINT_CSS = """
.ccm-print { font-family: "Malgun Gothic", "맑은 고딕", "Noto Sans CJK KR", "Noto Sans KR", "Apple SD Gothic Neo",
  sans-serif; color: #000; max-width: 180mm; }
.ccm-print h1 { font-size: 18pt; margin: 0 0 2mm; } .ccm-print h2 { font-size: 12pt; margin: 5mm 0 2mm; }
.ccm-print .sub, .ccm-print .note { font-size: 9pt; color: #444; }
.ccm-print table { border-collapse: collapse; width: 100%; font-size: 9.5pt; }
.ccm-print th, .ccm-print td { border: 1px solid #999; padding: 1.2mm 2mm; text-align: right; }
.ccm-print th { background: #dce6f1; text-align: center; } .ccm-print td:first-child { text-align: left; }
.ccm-print .head { display: flex; justify-content: space-between; align-items: flex-start; gap: 6mm; margin-bottom: 3mm; }
.ccm-print table.approval { width: auto; flex: none; font-size: 9pt; }
.ccm-print table.approval th { min-width: 16mm; padding: 0.8mm 1mm; }
.ccm-print table.approval th.label { min-width: 0; width: 6mm; line-height: 1.3; }
.ccm-print table.approval td { height: 15mm; }
.ccm-print section.block, .ccm-print .head { break-inside: avoid; page-break-inside: avoid; }
.ccm-print h1, .ccm-print h2 { break-after: avoid; page-break-after: avoid; }
.ccm-print thead { display: table-header-group; }
.ccm-print tr { break-inside: avoid; page-break-inside: avoid; }
@page { size: A4 portrait; margin: 15mm 15mm 18mm;
  @bottom-center { content: counter(page) " / " counter(pages) " 쪽"; font-size: 9pt; color: #444; } }
@media print {
  header, footer, [data-testid="stSidebar"], [data-testid="stToolbar"], [data-testid="stHeader"],
  [data-testid="stDecoration"], .ccm-noprint, .stButton, .stDownloadButton, .stSelectbox, .stRadio
    { display: none !important; }
  .block-container, [data-testid="stMainBlockContainer"] { padding: 0 !important; max-width: none !important; }
  html, body, #root, .stApp, [data-testid="stApp"], [data-testid="stAppViewContainer"], [data-testid="stMain"],
  [data-testid="stAppScrollToBottomContainer"], section.main
    { height: auto !important; min-height: 0 !important; overflow: visible !important; position: static !important; }
}
"""
