"""What the two VOC analysis pages (처리기한 준수, 유형별 추이) share: the heading and the empty states."""
from __future__ import annotations

import streamlit as st

from ccm import voc
from ui import data
from ui.bootstrap import Context
from ui.components import empty_state


def heading(ctx: Context, title: str, what: str) -> bool:
    """Title and scope line; False (after an empty state) when the database holds no VOC yet."""
    st.title(title)
    if not data.run(voc.has_data):
        empty_state(f"아직 VOC 데이터가 없습니다. '데이터 올리기' 화면에서 VOC 내보내기 파일을 올리면 {what} 볼 수 있습니다.")
        return False
    depts = f" · 부서: {', '.join(ctx.scope.departments)}" if ctx.scope.departments else ""
    st.caption(f"조회 기간: {ctx.scope.label}{depts}")
    return True


def nothing_in_scope() -> None:
    empty_state("선택한 기간·부서에 접수된 VOC가 없습니다. 왼쪽에서 기간이나 부서를 바꿔 보세요.", upload_hint=False)
