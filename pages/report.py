"""반기 VOC 보고서: pick a half-year, generate the workbook with progress, download; A4 print view."""

from __future__ import annotations

from datetime import date

import streamlit as st

from ccm import report, voc
from ccm.filters_support import latest_received
from ui import data, params
from ui.bootstrap import setup
from ui.components import empty_state, table
from ui.nav import ACCESS

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def default_half(latest: date) -> tuple[int, int]:
    """The latest half-year that has ended by the latest data; the current one if none has."""
    return (latest.year, 1) if latest.month >= 7 else (latest.year - 1, 2)


def half_label(year: int, half: int) -> str:
    return f"{year}년 {'상' if half == 1 else '하'}반기"


def report_years(latest: date) -> list[int]:
    return list(range(latest.year, latest.year - 6, -1))


def address_half(latest: date) -> tuple[int, int]:
    """The half-year the page address asks for (year=…&half=…), checked; the default one otherwise."""
    d_year, d_half = default_half(latest)
    years = report_years(latest)
    year = params.int_param(
        "year", "연도", d_year, years, f"{years[-1]}~{years[0]}", f"{d_year}년을 보여 줍니다."
    )
    half = params.int_param(
        "half",
        "반기",
        d_half,
        (1, 2),
        "1(상반기) 또는 2(하반기)",
        f"{'상' if d_half == 1 else '하'}반기를 보여 줍니다.",
    )
    return year, half


def pick_half(latest: date) -> tuple[int, int]:
    year, half = address_half(latest)
    years = report_years(latest)
    c1, c2, _ = st.columns([1, 1, 3])
    year = c1.selectbox("연도", years, index=years.index(year), key="rp_year")
    half = c2.radio(
        "반기",
        [1, 2],
        index=half - 1,
        format_func=lambda h: "상반기(1~6월)" if h == 1 else "하반기(7~12월)",
        key="rp_half",
        horizontal=True,
    )
    return year, half


def generate(ctx, year: int, half: int) -> None:
    """Build the workbook with a progress bar and keep it for the download button."""
    bar = st.progress(0.0, text="보고서를 만드는 중…")
    with data.connection(reading=True) as con:
        content = report.build_workbook(
            con,
            ctx.settings,
            year,
            half,
            ctx.now,
            include_texts=ctx.user.can_see_texts,
            progress=lambda f, m: bar.progress(f, text=m),
        )
    st.session_state["rp_file"] = {
        "key": (year, half, data.content_version(), ctx.user.can_see_texts),
        "bytes": content,
    }


def summary_view(ctx, year: int, half: int) -> tuple:
    p = report.periods(year, half)
    summ = data.run(report.summary, year, half, ctx.settings)
    types = data.run(report.dimension, p, "voc_type")[
        ["유형", "접수", "비중", "직전 대비", "전년 대비", "준수율"]
    ]
    ctypes = ctx.settings.complaint_types
    topics = data.run(report.topics, p, ctypes).head(8)
    return (
        p,
        summ,
        {
            "유형별 접수·준수율": (
                types,
                {
                    "접수": "count",
                    "비중": "pct",
                    "직전 대비": "change",
                    "전년 대비": "change",
                    "준수율": "pct",
                },
            ),
            "많이 접수된 주제": (
                topics,
                {
                    "건수": "count",
                    "비중": "pct",
                    "불만·고충 건수": "count",
                    "직전 반기 건수": "count",
                    "전년 동기 건수": "count",
                },
            ),
        },
    )


def print_mode(ctx, year: int, half: int) -> None:
    p, summ, extras = summary_view(ctx, year, half)
    st.html(f"<style>{report.PRINT_CSS} [data-testid='stSidebar'] {{display: none;}}</style>")
    st.html(
        report.summary_html(
            f"반기별 VOC 분석 결과보고서 — {p.current.label}",
            summ,
            p,
            extras,
            ctx.now,
            report.approval_line(ctx.settings),
        )
    )
    st.html(
        '<p class="ccm-noprint" style="color:#666">브라우저의 인쇄(Ctrl+P)에서 용지 A4, 대상 \'PDF로 저장\'을 고르면 '
        "PDF로 저장됩니다. 쪽 번호는 아래 여백에 찍힙니다(인쇄 창의 '머리글과 바닥글'은 끄세요). "
        "글꼴은 PC에 설치된 맑은 고딕 / Noto Sans CJK를 씁니다(웹 글꼴 없음).</p>"
    )


def main() -> None:
    ctx = setup("반기 VOC 보고서", roles=ACCESS["report"], filters=False)
    if not data.run(voc.has_data):
        st.title("반기 VOC 보고서")
        empty_state("보고서를 만들 VOC 데이터가 없습니다. VOC 내보내기 파일을 먼저 올리세요.")
        return
    latest = data.run(latest_received)
    if (
        params.choice_param(
            "print", "인쇄 보기", {"1": "인쇄용 요약", "0": "보통 화면"}, "0", "보통 화면을 보여 줍니다."
        )
        == "1"
    ):
        print_mode(ctx, *address_half(latest))
        return
    st.title("반기 VOC 분석 결과보고서")
    st.caption(
        "매뉴얼 §4.2.1-3⑤·§5.1.2-3: 반기별 접수·처리 건수, 처리기한 준수, 유형·채널·부서·시설별 현황, 불만 내용, "
        "경중도×빈도, 재발, FAQ 후보. 모든 부서 기준이며, 직전 반기·전년 동기와 비교합니다."
    )
    year, half = pick_half(latest)
    p, summ, extras = summary_view(ctx, year, half)
    if summ.set_index("지표").loc["접수 건수", "이번"] == 0:
        st.info(
            f"{half_label(year, half)}에 접수된 VOC가 없습니다. 다른 반기를 고르세요.", icon=":material/info:"
        )
    st.subheader(f"요약 — {p.current.label}")
    table(report.summary_display(summ, p), f"VOC 요약 {p.current.label}", key="rp_summary")
    st.caption(
        "준수율 = 기한 내 처리 ÷ 처리 완료 건. 직전 대비·전년 대비: 건수·시간은 증감률(%), 비율은 %p 차이. "
        "이 화면은 위의 반기 선택만 따릅니다(사이드바 기간 필터와 무관, 모든 부서)."
    )
    c1, c2 = st.columns(2)
    if c1.button("보고서(Excel) 만들기", type="primary", key="rp_generate", icon=":material/description:"):
        generate(ctx, year, half)
    c2.link_button(
        "인쇄용 요약(A4) 열기", f"./report?print=1&year={year}&half={half}", icon=":material/print:"
    )
    made = st.session_state.get("rp_file")
    if made and made["key"] == (year, half, data.content_version(), ctx.user.can_see_texts):
        st.success(
            "보고서가 준비되었습니다. 시트 10개(요약, 유형별, 채널별, 부서별, 시설별, 처리기한 준수, 키워드·주제, "
            "경중도×빈도, 재발, FAQ 후보), 각 시트에 Excel 차트.",
            icon=":material/check_circle:",
        )
        st.download_button(
            "보고서 내려받기 (.xlsx)",
            made["bytes"],
            f"VOC_반기보고서_{year}_{half}반기.xlsx",
            XLSX,
            key="rp_download",
            icon=":material/download:",
            on_click="ignore",
        )
    if not ctx.user.can_see_texts:
        st.caption("열람 권한: 보고서의 FAQ 예시 문의(민원 원문)는 빠집니다.")


main()
