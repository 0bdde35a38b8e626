"""Reusable pieces: every chart has its table one click away, every table leaves as CSV and Excel."""
from __future__ import annotations

import io
import re
from collections.abc import Mapping

import pandas as pd
import streamlit as st

from ccm.safe_text import BIDI_RE, inert_frame, show_bidi, visible_frame

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
    c1.download_button("CSV 내려받기", lambda: csv_bytes(df), f"{stem}.csv", "text/csv", key=f"dl_csv_{key}",
                       icon=":material/download:", **hook("CSV"))
    c2.download_button("Excel 내려받기", lambda: excel_bytes({name: df}), f"{stem}.xlsx", XLSX,
                       key=f"dl_xlsx_{key}", icon=":material/download:", **hook("Excel"))


def _audit_hook(df: pd.DataFrame, name: str, audit: bool | None):
    from ui import auth, data

    if audit is None:
        audit = bool(set(data.settings().get("auth", {}).get("item_text_columns", [])) & set(map(str, df.columns)))
    if not audit:
        return lambda fmt: {"on_click": "ignore"}
    return lambda fmt: {"on_click": auth.audit_export, "args": (name, len(df), fmt)}


def table(df: pd.DataFrame, name: str, *, key: str | None = None, audit: bool | None = None,
          **dataframe_kwargs) -> None:
    """A table with its downloads (audited when it holds item texts, see `downloads`)."""
    st.dataframe(visible_frame(df), hide_index=True, width="stretch", **dataframe_kwargs)
    downloads(df, name, key=key, audit=audit)


def chart(fig, df: pd.DataFrame, name: str, *, key: str | None = None) -> None:
    """A chart with its table one click away (tab '표') and downloads of that table."""
    tab_chart, tab_table = st.tabs(["차트", "표"])
    with tab_chart:
        st.plotly_chart(finish_figure(fig), width="stretch", key=f"chart_{key or _file_stem(name)}",
                        config={"displaylogo": False})
    with tab_table:
        st.dataframe(visible_frame(df), hide_index=True, width="stretch")
    downloads(df, name, key=key)


def finish_figure(fig):
    """Margins, Korean font, bidi controls visible in labels. A figure already finished (e.g. shared
    from `ui.data.figure`) is left as it is: sessions may be drawing it at the same time."""
    if getattr(fig, "_ccm_finished", False):
        return fig
    fig.update_layout(margin=dict(l=10, r=10, t=40, b=10), font=dict(family="Noto Sans KR, Malgun Gothic, sans-serif"))
    fig = _visible_labels(fig)
    fig._ccm_finished = True
    return fig


def _visible_labels(fig):
    """Category labels and hover texts of every trace with bidi controls shown visibly."""
    for trace in fig.data:
        for attr in ("x", "y", "labels", "text", "ids"):
            values = getattr(trace, attr, None)
            if values is None or isinstance(values, str) or not any(isinstance(v, str) and BIDI_RE.search(v) for v in values):
                continue
            setattr(trace, attr, [show_bidi(v) if isinstance(v, str) else v for v in values])
    return fig


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


def pct(x: float | None, digits: int = 1) -> str:
    return "—" if x is None or pd.isna(x) else f"{x * 100:.{digits}f}%"
