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
from openpyxl.chart import BarChart, LineChart, Reference, ScatterChart, Series
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from ccm import voc_analytics as va
from ccm.period import Scope, period
from ccm.safe_text import show_bidi, write_cell
from ccm.settings import Settings

SHEETS = ("요약", "유형별", "채널별", "부서별", "시설별", "처리기한 준수", "키워드·주제", "경중도×빈도", "재발", "FAQ 후보")
COUNT, PCT, PP, HOURS, NUM, TEXT = "#,##0", "0.0%", '+0.0"%p";-0.0"%p";0.0"%p"', "0.0", "0.00", "@"
CHANGE = '+0.0%;-0.0%;0.0%'
HEADER_FILL = PatternFill("solid", fgColor="DCE6F1")
FONT = "맑은 고딕"  # installed on Korean Windows; Excel substitutes elsewhere
THIN = Side(style="thin", color="A6A6A6")
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
    return Periods(period("half", year, half), period("half", prev_year, prev_half), period("half", year - 1, half))


def _safe(fn: Callable[[], pd.DataFrame]) -> pd.DataFrame:
    """A query whose tables may not exist yet (e.g. keywords before the first enrichment) → empty."""
    try:
        return fn()
    except duckdb.CatalogException:
        return pd.DataFrame()


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
    complaint = tuple(settings.get("ranking", {}).get("complaint_types", ("불만", "고충")))
    praise = settings.get("ranking", {}).get("praise_type", "칭찬")
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
        out.append({"지표": name, "이번": cur, "직전": prev, "전년": ly,
                    "직전 대비": _change(cur, prev, kind), "전년 대비": _change(cur, ly, kind), "형식": kind})
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
        return pd.DataFrame(columns=[label, "접수", "비중", "직전 반기 접수", "직전 대비", "전년 동기 접수", "전년 대비",
                                     "처리 완료", "기한 내 처리", "준수율", "직전 반기 준수율", "전년 동기 준수율"])
    m = cur.merge(frames[1][[dim, "received", "compliance"]], on=dim, how="left", suffixes=("", "_prev"))
    m = m.merge(frames[2][[dim, "received", "compliance"]].rename(
        columns={"received": "received_ly", "compliance": "compliance_ly"}), on=dim, how="left")
    m = m.sort_values(["received", dim], ascending=[False, True])
    total = m["received"].sum()
    return pd.DataFrame({
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
    }).reset_index(drop=True)


def monthly(con: duckdb.DuckDBPyConnection, p: Periods) -> pd.DataFrame:
    """Per month of the half-year: received and compliance, next to the same month last year."""
    cur = va.monthly_compliance(con, p.current)
    ly = va.monthly_compliance(con, p.last_year)
    months = [p.current.start.month + i for i in range(6)]
    cur_m = {pd.Timestamp(r.month).month: r for r in cur.itertuples()}
    ly_m = {pd.Timestamp(r.month).month: r for r in ly.itertuples()}
    rows = []
    for mth in months:
        c, l = cur_m.get(mth), ly_m.get(mth)
        rows.append({"월": f"{mth}월", "접수": c.received if c else 0, "전년 동월 접수": l.received if l else 0,
                     "준수율": c.compliance if c else None, "전년 동월 준수율": l.compliance if l else None,
                     "처리시간 중앙값(근무시간)": c.median_hours if c else None})
    return pd.DataFrame(rows)


def processing(con: duckdb.DuckDBPyConnection, p: Periods) -> pd.DataFrame:
    df = va.processing_time_by_type(con, p.current)
    return pd.DataFrame({
        "유형": df["voc_type"], "처리 완료": df["completed"], "중앙값(근무시간)": df["median_hours"],
        "P90(근무시간)": df["p90_hours"], "평균(근무시간)": df["mean_hours"], "처리기한(근무시간)": df["deadline_hours"],
        "중앙값 ÷ 기한": df["median_share"],
    })


def complaint_topics(con: duckdb.DuckDBPyConnection, start: date, end: date, types: tuple[str, ...],
                     limit: int = 5) -> pd.DataFrame:
    """Most frequent topics among complaint-type items received in [start, end) — what people complain
    about. Small query of its own: ccm.voc_analytics.topic_counts counts every type."""
    marks = ", ".join("?" * len(types)) or "NULL"
    try:
        return con.execute(
            f"""SELECT t.topic AS 주제, count(*) AS 건수 FROM voc_topics t JOIN voc v USING (voc_id)
                WHERE v.received_at >= ? AND v.received_at < ? AND v.voc_type IN ({marks}) AND t.topic <> ?
                GROUP BY t.topic ORDER BY 건수 DESC, t.topic LIMIT {int(limit)}""",
            [start, end, *types, va.NO_TOPIC]).df()
    except duckdb.CatalogException:
        return pd.DataFrame(columns=["주제", "건수"])


def topics(con: duckdb.DuckDBPyConnection, p: Periods, complaint_types: tuple[str, ...] = ("불만", "고충")) -> pd.DataFrame:
    """Items per topic in the half-year (with the previous half and last year) and how many of them
    are complaints (불만·고충)."""
    cur = _safe(lambda: va.topic_counts(con, p.current))
    if cur.empty:
        return pd.DataFrame(columns=["주제", "건수", "비중", "불만·고충 건수", "직전 반기 건수", "전년 동기 건수"])
    prev = _safe(lambda: va.topic_counts(con, p.previous))
    ly = _safe(lambda: va.topic_counts(con, p.last_year))
    comp = complaint_topics(con, p.current.start, p.current.end, complaint_types, limit=1000)
    pm = dict(zip(prev.get("topic", []), prev.get("items", [])))
    lm = dict(zip(ly.get("topic", []), ly.get("items", [])))
    cm = dict(zip(comp["주제"], comp["건수"]))
    return pd.DataFrame({"주제": cur["topic"], "건수": cur["items"], "비중": cur["share"],
                         "불만·고충 건수": [int(cm.get(t, 0)) for t in cur["topic"]],
                         "직전 반기 건수": [int(pm.get(t, 0)) for t in cur["topic"]],
                         "전년 동기 건수": [int(lm.get(t, 0)) for t in cur["topic"]]})


def keywords(con: duckdb.DuckDBPyConnection, p: Periods, settings: Settings) -> pd.DataFrame:
    df = _safe(lambda: va.top_keywords(con, p.current, settings, 30))
    if df.empty:
        return pd.DataFrame(columns=["키워드", "건수", "직전 반기 건수", "증감"])
    return pd.DataFrame({"키워드": df["keyword"], "건수": df["items"], "직전 반기 건수": df["previous"], "증감": df["change"]})


def prevention(con: duckdb.DuckDBPyConnection, p: Periods, settings: Settings) -> pd.DataFrame:
    df = _safe(lambda: va.prevention_matrix(con, p.current, settings))
    if df.empty:
        return pd.DataFrame(columns=["주제", "발생빈도", "경중도", "점수(빈도×경중도)", "구분", "개선 후보"])
    return pd.DataFrame({"주제": df["topic"], "발생빈도": df["frequency"], "경중도": df["severity"],
                         "점수(빈도×경중도)": df["score"], "구분": df["quadrant"],
                         "개선 후보": df["candidate"].map({True: "예", False: ""})})


def recurrence(con: duckdb.DuckDBPyConnection, p: Periods, settings: Settings) -> pd.DataFrame:
    df = _safe(lambda: va.recurrences(con, p.current, settings))
    if df.empty:
        return pd.DataFrame(columns=["시설·주제", "시설", "주제", "건수", "재발 건수", "재발률", "최근 재발"])
    return pd.DataFrame({"시설·주제": df["facility"] + " · " + df["topic"], "시설": df["facility"], "주제": df["topic"],
                         "건수": df["items"], "재발 건수": df["recurrences"], "재발률": df["rate"],
                         "최근 재발": pd.to_datetime(df["last_recurrence"]).dt.strftime("%Y-%m-%d")})


def faq(con: duckdb.DuckDBPyConnection, p: Periods, settings: Settings, include_texts: bool) -> pd.DataFrame:
    df = _safe(lambda: va.faq_candidates(con, p.current, settings, with_text=include_texts))
    cols = ["주제", "문의 건수", "문의 중 비중", "시설"] + (["예시 문의(개인정보 가림)"] if include_texts else [])
    if df.empty:
        return pd.DataFrame(columns=cols)
    out = pd.DataFrame({"주제": df["topic"], "문의 건수": df["items"], "문의 중 비중": df["share"], "시설": df["facilities"]})
    if include_texts:
        out["예시 문의(개인정보 가림)"] = df["examples"]
    return out


# ---------------------------------------------------------------------------------------------
# Writing: tables with formats, native charts


@dataclass(frozen=True)
class TableRef:
    header_row: int
    last_row: int
    columns: tuple[str, ...]

    def col(self, name: str) -> int:
        return self.columns.index(name) + 1

    @property
    def rows(self) -> int:
        return self.last_row - self.header_row


def _title(ws: Worksheet, title: str, subtitle: str) -> None:
    write_cell(ws, 1, 1, title).font = Font(name=FONT, bold=True, size=14)
    write_cell(ws, 2, 1, subtitle).font = Font(name=FONT, color="595959")


def _write_table(ws: Worksheet, df: pd.DataFrame, row: int, formats: dict[str, str]) -> TableRef:
    cols = tuple(str(c) for c in df.columns)
    for j, name in enumerate(cols, start=1):
        cell = write_cell(ws, row, j, name)
        cell.font, cell.fill, cell.border = Font(name=FONT, bold=True), HEADER_FILL, Border(bottom=THIN)
        cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
    for i, rec in enumerate(df.itertuples(index=False), start=row + 1):
        for j, (name, v) in enumerate(zip(cols, rec), start=1):
            cell = write_cell(ws, i, j, None if v is None or (not isinstance(v, str) and pd.isna(v)) else _py(v))
            if name in formats:
                cell.number_format = formats[name]
    for j, name in enumerate(cols, start=1):
        width = max([len(name)] + [len(str(v)) for v in df.iloc[:200, j - 1]]) if len(df) else len(name)
        letter = get_column_letter(j)
        ws.column_dimensions[letter].width = max(ws.column_dimensions[letter].width or 0, min(max(width * 1.6, 9), 50))
    if df.empty:
        ws.cell(row + 1, 1, "이 반기에 해당하는 데이터가 없습니다.").font = Font(italic=True, color="7F7F7F")
    return TableRef(row, row + len(df), cols)


def _py(v):
    if hasattr(v, "item"):
        return v.item()
    if isinstance(v, pd.Timestamp):
        return v.to_pydatetime()
    return v


def _anchor(ref: TableRef, gap: int = 2) -> str:
    return f"{get_column_letter(len(ref.columns) + gap)}{ref.header_row}"


def _bar(ws: Worksheet, ref: TableRef, cat: str, values: list[str], title: str, y_title: str,
         *, horizontal: bool = False, fmt: str | None = None, anchor: str | None = None, limit: int = 20) -> None:
    if ref.rows == 0:
        return
    chart = BarChart()
    chart.type = "bar" if horizontal else "col"
    chart.title, chart.y_axis.title = title, y_title
    last = ref.header_row + min(ref.rows, limit)
    for name in values:
        chart.add_data(Reference(ws, min_col=ref.col(name), min_row=ref.header_row, max_row=last), titles_from_data=True)
    chart.set_categories(Reference(ws, min_col=ref.col(cat), min_row=ref.header_row + 1, max_row=last))
    _style(chart, fmt, height=7.5 if not horizontal else 4 + 0.5 * min(ref.rows, limit))
    if horizontal:
        chart.x_axis.scaling.orientation = "maxMin"
    ws.add_chart(chart, anchor or _anchor(ref))


def _line(ws: Worksheet, ref: TableRef, cat: str, values: list[str], title: str, y_title: str,
          fmt: str | None, anchor: str) -> None:
    if ref.rows == 0:
        return
    chart = LineChart()
    chart.title, chart.y_axis.title = title, y_title
    for name in values:
        chart.add_data(Reference(ws, min_col=ref.col(name), min_row=ref.header_row, max_row=ref.last_row),
                       titles_from_data=True)
    chart.set_categories(Reference(ws, min_col=ref.col(cat), min_row=ref.header_row + 1, max_row=ref.last_row))
    _style(chart, fmt)
    ws.add_chart(chart, anchor)


def _scatter(ws: Worksheet, ref: TableRef, x: str, y: str, title: str) -> None:
    if ref.rows == 0:
        return
    chart = ScatterChart()
    chart.title, chart.style = title, 13
    chart.x_axis.title, chart.y_axis.title = x, y
    xs = Reference(ws, min_col=ref.col(x), min_row=ref.header_row + 1, max_row=ref.last_row)
    ys = Reference(ws, min_col=ref.col(y), min_row=ref.header_row + 1, max_row=ref.last_row)
    s = Series(ys, xs, title="주제")
    s.marker.symbol, s.marker.size = "circle", 8
    s.graphicalProperties.line.noFill = True
    chart.series.append(s)
    _style(chart, None)
    ws.add_chart(chart, _anchor(ref))


def _style(chart, fmt: str | None, height: float = 7.5) -> None:
    chart.height, chart.width = height, 16
    chart.x_axis.delete = False
    chart.y_axis.delete = False
    if fmt:
        chart.y_axis.number_format = fmt


DIM_FORMATS = {"접수": COUNT, "비중": PCT, "직전 반기 접수": COUNT, "직전 대비": CHANGE, "전년 동기 접수": COUNT,
               "전년 대비": CHANGE, "처리 완료": COUNT, "기한 내 처리": COUNT, "준수율": PCT,
               "직전 반기 준수율": PCT, "전년 동기 준수율": PCT}


def _dimension_sheet(ws: Worksheet, df: pd.DataFrame, p: Periods, what: str) -> None:
    _title(ws, f"{what} VOC 접수·처리기한 준수", f"{p.current.label} · 비교: 직전 반기({p.previous.label}), "
           f"전년 동기({p.last_year.label}). 준수율 = 기한 내 처리 ÷ 처리 완료.")
    ref = _write_table(ws, df, 4, DIM_FORMATS)
    label = ref.columns[0]
    _bar(ws, ref, label, ["접수", "직전 반기 접수", "전년 동기 접수"], f"{what} 접수 건수 비교", "건수")
    _bar(ws, ref, label, ["준수율", "전년 동기 준수율"], f"{what} 처리기한 준수율", "준수율", fmt="0%",
         anchor=f"{get_column_letter(len(ref.columns) + 2)}{ref.header_row + 17}")


def _summary_sheet(ws: Worksheet, summ: pd.DataFrame, months: pd.DataFrame, p: Periods, open_now: dict,
                   now: datetime) -> None:
    _title(ws, f"반기별 VOC 분석 결과보고서 — {p.current.label}",
           f"비교: 직전 반기 {p.previous.label}, 전년 동기 {p.last_year.label} · 작성 {now:%Y-%m-%d %H:%M}")
    table = summ.rename(columns={"이번": p.current.label, "직전": p.previous.label, "전년": p.last_year.label})
    ref = _write_table(ws, table.drop(columns=["형식"]), 4, {})
    fmt = {"count": COUNT, "pct": PCT, "hours": HOURS}
    change = {"count": CHANGE, "pct": PP, "hours": CHANGE}
    for i, kind in enumerate(summ["형식"], start=ref.header_row + 1):
        for j in (2, 3, 4):
            ws.cell(i, j).number_format = fmt[kind]
        for j in (5, 6):
            ws.cell(i, j).number_format = change[kind]
    row = ref.last_row + 2
    ws.cell(row, 1, f"현재({now:%Y-%m-%d %H:%M}) 미처리 {open_now.get('open', 0):,}건 · 기한 초과 "
                    f"{open_now.get('overdue', 0):,}건 · 임박 {open_now.get('at_risk', 0):,}건").font = Font(bold=True)
    ws.cell(row + 1, 1, "정의: 준수율 = 기한 내 처리 ÷ 처리 완료(판정) 건, 처리시간 = 접수 후 근무시간(업무일 09~18시, "
                        "휴게 1시간, 주말·공휴일 제외). 증감: 건수는 증감률, 비율은 %p.").font = Font(color="595959")
    mref = _write_table(ws, months, row + 3, {"접수": COUNT, "전년 동월 접수": COUNT, "준수율": PCT,
                                               "전년 동월 준수율": PCT, "처리시간 중앙값(근무시간)": HOURS})
    _bar(ws, mref, "월", ["접수", "전년 동월 접수"], "월별 접수 건수 (전년 동월 대비)", "건수", anchor="I4")
    _line(ws, mref, "월", ["준수율", "전년 동월 준수율"], "월별 처리기한 준수율", "준수율", "0%", anchor="I20")


def build_workbook(con: duckdb.DuckDBPyConnection, settings: Settings, year: int, half: int, now: datetime,
                   *, include_texts: bool = True, progress: ProgressFn | None = None) -> bytes:
    """The semiannual report as .xlsx bytes. `progress(fraction, message)` is called per sheet."""
    p = periods(year, half)
    wb = Workbook()
    wb.remove(wb.active)
    steps: list[tuple[str, Callable[[Worksheet], None]]] = [
        ("요약", lambda ws: _summary_sheet(ws, summary(con, year, half, settings), monthly(con, p), p,
                                         va.open_counts(con, Scope(date(1900, 1, 1), date(9999, 1, 1)), now, settings), now)),
        ("유형별", lambda ws: _dimension_sheet(ws, dimension(con, p, "voc_type"), p, "유형별")),
        ("채널별", lambda ws: _dimension_sheet(ws, dimension(con, p, "channel"), p, "채널별")),
        ("부서별", lambda ws: _dimension_sheet(ws, dimension(con, p, "department"), p, "부서별")),
        ("시설별", lambda ws: _dimension_sheet(ws, dimension(con, p, "facility"), p, "시설별")),
        ("처리기한 준수", lambda ws: _compliance_sheet(ws, con, p)),
        ("키워드·주제", lambda ws: _topic_sheet(ws, con, p, settings)),
        ("경중도×빈도", lambda ws: _prevention_sheet(ws, con, p, settings)),
        ("재발", lambda ws: _recurrence_sheet(ws, con, p, settings)),
        ("FAQ 후보", lambda ws: _faq_sheet(ws, con, p, settings, include_texts)),
    ]
    for i, (name, write) in enumerate(steps):
        if progress:
            progress(i / (len(steps) + 1), f"'{name}' 시트 작성 중…")
        ws = wb.create_sheet(name)
        write(ws)
        ws.sheet_view.showGridLines = False
        _print_setup(ws)
    if progress:
        progress(len(steps) / (len(steps) + 1), "파일 저장 중…")
    buf = io.BytesIO()
    wb.save(buf)
    if progress:
        progress(1.0, "완료")
    return buf.getvalue()


def _print_setup(ws: Worksheet) -> None:
    """A4 landscape, one page wide, so every sheet prints as it is."""
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.orientation = "landscape"
    ws.page_setup.fitToWidth, ws.page_setup.fitToHeight = 1, 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True


def _compliance_sheet(ws: Worksheet, con, p: Periods) -> None:
    _title(ws, "처리기한 준수", f"{p.current.label} · 월별 준수율(전년 동월 대비)과 유형별 처리시간(근무시간 기준)")
    months = monthly(con, p)
    ref = _write_table(ws, months, 4, {"접수": COUNT, "전년 동월 접수": COUNT, "준수율": PCT, "전년 동월 준수율": PCT,
                                       "처리시간 중앙값(근무시간)": HOURS})
    _line(ws, ref, "월", ["준수율", "전년 동월 준수율"], "월별 처리기한 준수율", "준수율", "0%", _anchor(ref))
    pref = _write_table(ws, processing(con, p), ref.last_row + 3, {
        "처리 완료": COUNT, "중앙값(근무시간)": HOURS, "P90(근무시간)": HOURS, "평균(근무시간)": HOURS,
        "처리기한(근무시간)": HOURS, "중앙값 ÷ 기한": PCT})
    _bar(ws, pref, "유형", ["중앙값(근무시간)", "P90(근무시간)", "처리기한(근무시간)"], "유형별 처리시간과 처리기한",
         "근무시간", anchor=f"{get_column_letter(len(pref.columns) + 2)}{pref.header_row + 2}")


def _topic_sheet(ws: Worksheet, con, p: Periods, settings: Settings) -> None:
    _title(ws, "키워드·주제", f"{p.current.label} · 주제는 설정의 주제 사전으로 분류(한 건이 여러 주제일 수 있음), "
           "키워드는 명사(불용어 제외)를 언급한 건수")
    ctypes = tuple(settings.get("ranking", {}).get("complaint_types", ("불만", "고충")))
    ref = _write_table(ws, topics(con, p, ctypes), 4, {"건수": COUNT, "비중": PCT, "불만·고충 건수": COUNT,
                                                       "직전 반기 건수": COUNT, "전년 동기 건수": COUNT})
    _bar(ws, ref, "주제", ["건수", "불만·고충 건수", "직전 반기 건수", "전년 동기 건수"], "주제별 VOC 건수", "건수",
         horizontal=True)
    kref = _write_table(ws, keywords(con, p, settings), max(ref.last_row + 3, 22),
                        {"건수": COUNT, "직전 반기 건수": COUNT, "증감": "+#,##0;-#,##0;0"})
    _bar(ws, kref, "키워드", ["건수"], "상위 키워드", "건수", horizontal=True,
         anchor=f"{get_column_letter(len(ref.columns) + 2)}{kref.header_row}", limit=15)


def _prevention_sheet(ws: Worksheet, con, p: Periods, settings: Settings) -> None:
    _title(ws, "경중도 × 발생빈도 (잠재 불만 예방, 매뉴얼 §4.3.1)",
           f"{p.current.label} · 경중도 = 유형별 가중치의 평균(설정), 발생빈도 = 건수. 두 축 모두 평균 이상이면 '개선 우선'.")
    ref = _write_table(ws, prevention(con, p, settings), 4, {"발생빈도": COUNT, "경중도": NUM, "점수(빈도×경중도)": NUM})
    _scatter(ws, ref, "발생빈도", "경중도", "주제별 경중도 × 발생빈도")


def _recurrence_sheet(ws: Worksheet, con, p: Periods, settings: Settings) -> None:
    days = int(settings.get("trends", {}).get("recurrence_days", 90))
    _title(ws, "재발 (같은 시설의 같은 문제, 매뉴얼 §4.3.1-5)",
           f"{p.current.label} · 같은 시설·같은 주제의 앞선 건이 처리된 뒤 {days}일 안에 다시 접수되면 재발")
    ref = _write_table(ws, recurrence(con, p, settings), 4, {"건수": COUNT, "재발 건수": COUNT, "재발률": PCT})
    _bar(ws, ref, "시설·주제", ["재발 건수"], "재발 건수 상위", "건수", horizontal=True, limit=15)


def _faq_sheet(ws: Worksheet, con, p: Periods, settings: Settings, include_texts: bool) -> None:
    note = "" if include_texts else " · 예시 문의는 열람 권한에서 제외"
    _title(ws, "FAQ 후보 (자주 묻는 질문)", f"{p.current.label} · 문의 유형에서 가장 많이 반복된 주제{note}")
    ref = _write_table(ws, faq(con, p, settings, include_texts), 4, {"문의 건수": COUNT, "문의 중 비중": PCT})
    _bar(ws, ref, "주제", ["문의 건수"], "FAQ 후보 주제별 문의 건수", "건수", horizontal=True)


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


def summary_html(title: str, summ: pd.DataFrame, p: Periods, extras: dict[str, tuple[pd.DataFrame, dict[str, str]]],
                 now: datetime) -> str:
    """Self-contained A4 HTML of the summary; local fonts only (Malgun Gothic / Noto Sans CJK)."""
    blocks = "".join(f"<h2>{html.escape(name)}</h2>{_html_table(df, kinds)}"
                     for name, (df, kinds) in extras.items() if not df.empty)
    return f"""<div class="ccm-print">
<h1>{html.escape(title)}</h1>
<p class="sub">비교: 직전 반기 {html.escape(p.previous.label)} · 전년 동기 {html.escape(p.last_year.label)} · 작성 {now:%Y-%m-%d %H:%M}</p>
{_html_table(summary_display(summ, p), {})}
<p class="note">준수율 = 기한 내 처리 ÷ 처리 완료 건. 처리시간 = 접수 후 근무시간(주말·공휴일·휴게 제외). 증감: 건수는 증감률, 비율은 %p.</p>
{blocks}</div>"""


def _html_table(df: pd.DataFrame, kinds: dict[str, str]) -> str:
    """kinds: column → count | pct | change (relative, signed) — anything else is shown as text."""
    head = "".join(f"<th>{html.escape(show_bidi(str(c)))}</th>" for c in df.columns)
    rows = "".join("<tr>" + "".join(f"<td>{html.escape(_cell(v, kinds.get(c, '')))}</td>" for c, v in zip(df.columns, r))
                   + "</tr>" for r in df.itertuples(index=False))
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
@page { size: A4 portrait; margin: 15mm; }
@media print {
  header, footer, [data-testid="stSidebar"], [data-testid="stToolbar"], [data-testid="stHeader"],
  [data-testid="stDecoration"], .ccm-noprint, .stButton, .stDownloadButton, .stSelectbox, .stRadio
    { display: none !important; }
  .block-container, [data-testid="stMainBlockContainer"] { padding: 0 !important; max-width: none !important; }
  html, body, #root, .stApp, [data-testid="stApp"], [data-testid="stAppViewContainer"], [data-testid="stMain"],
  [data-testid="stAppScrollToBottomContainer"], section.main
    { height: auto !important; min-height: 0 !important; overflow: visible !important; position: static !important; }
  .ccm-print tr { page-break-inside: avoid; }
}
"""
