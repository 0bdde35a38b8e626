"""What the two VOC analysis pages (처리기한 준수, 유형별 추이) share: the heading and the empty states."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from ccm import voc
from ccm.safe_text import md_join
from ui import data
from ui.bootstrap import Context
from ui.components import empty_state


def heading(ctx: Context, title: str, what: str) -> bool:
    """Title and scope line; False (after an empty state) when the database holds no VOC yet."""
    st.title(title)
    if not data.run(voc.has_data):
        empty_state(
            f"아직 VOC 데이터가 없습니다. '데이터 올리기' 화면에서 VOC 내보내기 파일을 올리면 {what} 볼 수 있습니다."
        )
        return False
    depts = f" · 부서: {md_join(ctx.scope.departments)}" if ctx.scope.departments else ""
    st.caption(f"조회 기간: {ctx.scope.label}{depts}")
    return True


def nothing_in_scope() -> None:
    empty_state(
        "선택한 기간·부서에 접수된 VOC가 없습니다. 왼쪽에서 기간이나 부서를 바꿔 보세요.", upload_hint=False
    )


def tidy(df: pd.DataFrame) -> pd.DataFrame:
    """Display copy: months as YYYY-MM, hours to 0.1, other decimals to 4 places (rates stay fractions)."""
    out = df.copy()
    for col in out.columns:
        if col == "month" and pd.api.types.is_datetime64_any_dtype(out[col]):
            out[col] = out[col].dt.strftime("%Y-%m")
        elif pd.api.types.is_float_dtype(out[col]):
            out[col] = out[col].round(1 if col.endswith("_hours") else 4)
    return out


def month_axis(fig) -> None:
    """Months (YYYY-MM strings from tidy) as categories, not as dates with a time of day."""
    fig.update_xaxes(type="category", title="월")
