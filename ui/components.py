"""Reusable pieces: every chart has its table one click away, every table leaves as CSV and Excel."""

from __future__ import annotations

import io
import re
from collections.abc import Mapping

import pandas as pd
import streamlit as st

from ccm import formats, palette
from ccm.safe_text import inert_frame, show_bidi, visible_frame
from ccm.xlsx_style import kinds_of
from ui.deferred_downloads import keep_built_downloads
from ui.figures import finish_figure
from ui.memo import Shared

keep_built_downloads()

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def excel_bytes(sheets: pd.DataFrame | Mapping[str, pd.DataFrame]) -> bytes:
    """One workbook, a sheet per frame, print-ready (`ccm.xlsx_style`): Korean headers, a number format
    per kind of figure, 예/아니오, A4 one page wide with the header row repeated and page numbers.
    Text cells are inert (no formulas, bidi controls visible: `ccm.safe_text.inert_frame`)."""
    from openpyxl import Workbook

    from ccm.xlsx_style import Page

    if isinstance(sheets, pd.DataFrame):
        sheets = {"데이터": sheets}
    wb = Workbook()
    wb.remove(wb.active)
    for name, df in sheets.items():
        title = show_bidi(str(name))
        page = Page(wb.create_sheet(_sheet_name(title)), print_title=title)
        table = page.table(inert_frame(df), empty="내용이 없습니다.")
        page.ws.freeze_panes = page.ws.cell(table.header_row + 1, 1)
        page.finish(repeat=table)
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def csv_bytes(df: pd.DataFrame) -> bytes:
    """CSV with a BOM so that Excel on Korean Windows opens it as UTF-8; text cells inert."""
    return inert_frame(df).to_csv(index=False).encode("utf-8-sig")


def _sheet_name(name: str) -> str:
    return re.sub(r"[\[\]\*\?/\\:]", "_", name)[:31] or "Sheet"


def _file_stem(name: str) -> str:
    return re.sub(r"[^\w가-힣\-]+", "_", name).strip("_") or "data"


def downloads(df: pd.DataFrame, name: str, *, key: str | None = None, audit: bool | None = None) -> None:
    """CSV and Excel download buttons for one table; the bytes are built only when the user clicks
    (a rerun builds nothing). Item-level tables (a column named in [auth] item_text_columns, or
    audit=True) record each download in the audit log."""
    stem = _file_stem(name)
    key = key or stem
    hook = _audit_hook(df, name, audit)
    c1, c2, _ = st.columns([1, 1, 4])
    c1.download_button(
        "CSV 내려받기",
        lambda: csv_bytes(df),
        f"{stem}.csv",
        "text/csv",
        key=f"dl_csv_{key}",
        icon=":material/download:",
        **hook("CSV"),
    )
    c2.download_button(
        "Excel 내려받기",
        lambda: excel_bytes({name: df}),
        f"{stem}.xlsx",
        XLSX,
        key=f"dl_xlsx_{key}",
        icon=":material/download:",
        **hook("Excel"),
    )


def _audit_hook(df: pd.DataFrame, name: str, audit: bool | None):
    from ui import auth, data

    if audit is None:
        audit = bool(set(data.settings().auth.item_text_columns) & set(map(str, df.columns)))
    if not audit:
        return lambda fmt: {"on_click": "ignore"}
    return lambda fmt: {"on_click": auth.audit_export, "args": (name, len(df), fmt)}


def table(
    df: pd.DataFrame,
    name: str,
    *,
    key: str | None = None,
    audit: bool | None = None,
    kinds: Mapping[str, str] | None = None,
    **dataframe_kwargs,
) -> None:
    """A table with its downloads (audited when it holds item texts, see `downloads`); each column shown
    in its kind's one format (`shown`)."""
    show(df, kinds, **dataframe_kwargs)
    downloads(df, name, key=key, audit=audit)


def show(df: pd.DataFrame, kinds: Mapping[str, str] | None = None, **dataframe_kwargs) -> None:
    """st.dataframe of `shown(df)`: one format per kind, missing cells as —, no index."""
    frame, config = _display(df, kinds)
    config.update(dataframe_kwargs.pop("column_config", None) or {})
    st.dataframe(
        frame,
        hide_index=True,
        width="stretch",
        column_config=config,
        placeholder=formats.MISSING,
        **dataframe_kwargs,
    )


_displays = Shared(max_entries=512)


def _display(df: pd.DataFrame, kinds: Mapping[str, str] | None) -> tuple[pd.DataFrame, dict]:
    """`shown` and bidi controls made visible, once per table content: preparing a table cost more than
    drawing it, on every rerun of every session (the caller gets its own copy)."""
    from ui.data import frame_digest

    def prepare() -> tuple[pd.DataFrame, dict]:
        frame, config = shown(df, kinds)
        return visible_frame(frame), config

    key = (frame_digest(df), tuple(sorted((kinds or {}).items())))
    frame, config = _displays.get(key, prepare)
    return frame.copy(deep=False), dict(config)


_TEXT_MISSING = {"None", "none", "nan", "NaN", "<NA>", "NaT"}


def shown(df: pd.DataFrame, kinds: Mapping[str, str] | None = None) -> tuple[pd.DataFrame, dict]:
    """A display copy and its column_config, each column by its kind as Excel reads it
    (`ccm.xlsx_style.kinds_of`: the column's Korean name and values, `kinds` overriding): rates 87.6%,
    changes of a rate +1.2%p, scores 91.0, counts 1,234, times to the minute, months 2026년 1월,
    예/아니오 for yes/no; a missing value is shown as — (never None or nan)."""
    out = df.copy()
    config: dict = {}
    if df.columns.has_duplicates:
        return out, config
    kinds = dict(kinds_of(df, kinds))
    for col in df.columns:
        kind, s = kinds[str(col)], out[col]
        if kind == "bool":
            out[col] = s.map(formats.yes_no).astype("object")
        elif kind in ("time", "date", "month") and not pd.api.types.is_numeric_dtype(s.dtype):
            out[col] = _dates(s, kind)
        elif kind == "pp":
            out[col] = s.astype("float64") * 100
            config[col] = st.column_config.NumberColumn(str(col), format=formats.PRINTF["pp"])
        elif kind in NUMBER_COLUMNS:
            config[col] = st.column_config.NumberColumn(str(col), **NUMBER_COLUMNS[kind])
        elif s.dtype == object or pd.api.types.is_string_dtype(s.dtype):
            out[col] = s.astype("object").where(~s.astype("object").isin(_TEXT_MISSING) & s.notna(), None)
    return out, config


NUMBER_COLUMNS = {
    "pct": {"format": "percent", "step": 0.001},  # a fraction shown with one decimal: 87.6%
    "pp_points": {"format": formats.PRINTF["pp"]},
    "score": {"format": formats.PRINTF["score"]},
    "hours": {"format": formats.PRINTF["hours"]},
    "count": {"format": "localized"},
    "month_no": {"format": "%d월"},
    "id": {"format": "%d"},
    "year": {"format": "%d"},
}


def _dates(s: pd.Series, kind: str) -> pd.Series:
    """Times to the minute (2026-01-05 14:22), dates (2026-01-05), months (2026년 1월); missing → None."""
    text = s.astype("object").where(s.notna(), None)
    values = pd.to_datetime(text + "-01" if kind == "month" and _month_texts(s) else text, errors="coerce")
    if getattr(values.dt, "tz", None) is not None:
        values = values.dt.tz_localize(None)
    if kind == "month":
        shown = (
            values.dt.year.astype("Int64").astype(str)
            + "년 "
            + values.dt.month.astype("Int64").astype(str)
            + "월"
        )
    else:
        shown = values.dt.strftime("%Y-%m-%d %H:%M" if kind == "time" else "%Y-%m-%d")
    return shown.astype("object").where(values.notna(), None)


def _month_texts(s: pd.Series) -> bool:
    values = s.dropna()
    return len(values) > 0 and all(isinstance(v, str) and len(v) == 7 and v[4] == "-" for v in values)


def chart(
    fig, df: pd.DataFrame, name: str, *, key: str | None = None, kinds: Mapping[str, str] | None = None
) -> None:
    """A chart with its table one click away (tab '표') and downloads of that table."""
    tab_chart, tab_table = st.tabs(["차트", "표"])
    with tab_chart:
        st.plotly_chart(
            finish_figure(fig),
            width="stretch",
            key=f"chart_{key or _file_stem(name)}",
            config={"displaylogo": False},
        )
    with tab_table:
        show(df, kinds)
    downloads(df, name, key=key)


# ---------------------------------------------------------------------------------------------
# Chart helpers: one look for every page (palette colours, target lines, axes from 0, empty months)


def target_line(fig, value: float, text: str, *, axis: str = "y"):
    """A dashed target line (palette.TARGET) with its label, e.g. '목표 95.0%'; vertical for axis='x'."""
    line = dict(
        line_dash="dash",
        line_color=palette.TARGET,
        line_width=1.5,
        annotation_text=text,
        annotation_font_color=palette.TARGET,
    )
    if axis == "x":
        fig.add_vline(x=value, annotation_position="top", **line)
    else:
        fig.add_hline(y=value, annotation_position="top left", **line)
    return fig


def from_zero(fig, *, rate: bool = False, axis: str = "y", top: float | None = None):
    """A count or rate axis starting at 0 (rates as 0%…100%: `rate`), up to `top` if given."""
    update = fig.update_xaxes if axis == "x" else fig.update_yaxes
    if rate:
        update(tickformat=".0%", range=[0, top if top is not None else 1.05])
    elif top is not None:
        update(range=[0, top])
    else:
        update(rangemode="tozero")
    return fig


def month_frame(
    df: pd.DataFrame, months: list, *, counts: tuple[str, ...] = (), col: str = "month"
) -> pd.DataFrame:
    """`df` (one row per month in `col`) on every month of `months`: a month without rows gets 0 in the
    count columns and stays empty (NaN) elsewhere, so a line breaks there instead of bridging it."""
    idx = pd.Index(pd.to_datetime(pd.Series(months)), name=col)
    got = (
        df.assign(**{col: pd.to_datetime(df[col])}).set_index(col) if len(df) else pd.DataFrame(index=idx[:0])
    )
    out = got.reindex(idx)
    for c in counts:
        out[c] = out[c].fillna(0).astype("int64") if c in out else 0
    return out.reset_index()


def category_bar(
    df: pd.DataFrame,
    category: str,
    value: str,
    *,
    title: str,
    color: str | list | None = None,
    text: list[str] | None = None,
    labels: Mapping[str, str] | None = None,
    hover: list[str] | None = None,
):
    """A bar per category, sorted by value (largest first); horizontal when the labels are long or
    many, so that they read without tilting."""
    import plotly.graph_objects as go

    d = df.sort_values(value, ascending=False, kind="stable", na_position="last").reset_index(drop=True)
    cats = d[category].astype(str)
    horizontal = len(d) > 8 or (cats.str.len().max() if len(d) else 0) > 6
    names = dict(labels or {})
    custom = d[hover].to_numpy() if hover else None
    hovertemplate = "<br>".join(
        [f"%{{{'y' if horizontal else 'x'}}}"]
        + [f"{names.get(h, h)}: %{{customdata[{i}]}}" for i, h in enumerate(hover or [])]
    )
    bar = go.Bar(
        x=d[value] if horizontal else cats,
        y=cats if horizontal else d[value],
        orientation="h" if horizontal else "v",
        marker_color=color if color is not None else palette.NEUTRAL,
        text=text,
        textposition="outside",
        customdata=custom,
        hovertemplate=hovertemplate + "<extra></extra>" if hover else None,
        cliponaxis=False,
    )
    fig = go.Figure(bar)
    fig.update_layout(title=title, showlegend=False, height=max(300, 40 + 32 * len(d)) if horizontal else 380)
    if horizontal:
        fig.update_yaxes(autorange="reversed", title=names.get(category, category))
        fig.update_xaxes(title=names.get(value, value))
    else:
        fig.update_xaxes(title=names.get(category, category))
        fig.update_yaxes(title=names.get(value, value))
    fig._ccm_horizontal = horizontal
    return fig


# ---------------------------------------------------------------------------------------------
# Headlines: the answer first, each against the period before and its target


def headline(
    label: str,
    value: str,
    *,
    change: str | None = None,
    against: str | None = None,
    target: str | None = None,
    status: str | None = None,
    help: str | None = None,
    lower_is_better: bool = False,
    neutral: bool = False,
    where=None,
) -> None:
    """One headline figure: its value, its change against the period before (`change`, e.g. '+1.2%p',
    described by `against`, e.g. '전월 대비') and its target with the status colour (`target`, e.g.
    '목표 95.0% · 미달'). A change of a count without judgement is `neutral` (grey)."""
    box = where if where is not None else st
    shown = bool(change) and change != formats.MISSING
    unchanged = (
        shown and change[0] not in "+-"
    )  # '0.0%p': grey, no arrow (a string delta is never zero to Streamlit)
    colour = "off" if neutral or not shown or unchanged else ("inverse" if lower_is_better else "normal")
    box.metric(
        label,
        value,
        delta=change if shown else None,
        delta_color=colour,
        delta_arrow="off" if unchanged else "auto",
        delta_description=against if shown else None,
        help=help,
    )
    if target:
        named = palette.STATUS_NAMED.get(status or "", "gray")
        box.caption(f":{named}[{target}]" if status else target)


def empty_state(message: str, *, upload_hint: bool = True) -> None:
    """What a page shows when there is nothing to show: why, and what to do."""
    st.info(message, icon=":material/info:")
    if upload_hint:
        link("upload", "데이터 올리기 화면으로", ":material/upload:")


def link(url_path: str, label: str, icon: str | None = None) -> None:
    """Link to another page by its url_path; works also when the page runs without the router
    (a direct URL on a fresh server, or AppTest), where st.page_link cannot resolve pages."""
    try:
        st.page_link(f"pages/{url_path}.py", label=label, icon=icon)
    except st.errors.StreamlitAPIException:
        st.markdown(f"[{label}](./{url_path})")


def definition(text: str) -> None:
    """A number's definition, readable where the number is shown."""
    st.caption(text)


def pct(x: float | None) -> str:
    """A rate (fraction) as every page shows it: 87.6% (`ccm.formats.pct`)."""
    return formats.pct(x)
