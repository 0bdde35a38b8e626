"""One colour per meaning, for pages (plotly, HTML) and Excel alike: a status or a deadline state
has the same colour wherever it is drawn. Pure data, so `ccm` writers and `ui` pages can share it."""

from __future__ import annotations

STATUS = {
    "달성": "#1B7A3A",
    "주의": "#E0A800",
    "미달": "#C62828",
    "미입력": "#6A4C93",
    "실적 없음": "#6B7280",
    "목표 없음": "#6B7280",
}
ON_STATUS = {
    "달성": "#FFFFFF",
    "주의": "#1A1A1A",
    "미달": "#FFFFFF",
    "미입력": "#FFFFFF",
    "실적 없음": "#FFFFFF",
    "목표 없음": "#FFFFFF",
}
STATUS_LIGHT = {
    "달성": "#C6EFCE",
    "주의": "#FFEB9C",
    "미달": "#FFC7CE",
    "미입력": "#E4DCF0",
    "실적 없음": "#EDEDED",
    "목표 없음": "#EDEDED",
}
# Streamlit's named colours (st.badge, :color[text] in markdown) nearest to STATUS
STATUS_NAMED = {
    "달성": "green",
    "주의": "orange",
    "미달": "red",
    "미입력": "violet",
    "실적 없음": "gray",
    "목표 없음": "gray",
}

MET = STATUS["달성"]  # 기한 내 처리
AT_RISK = STATUS["주의"]  # 임박
OVERDUE = STATUS["미달"]  # 기한 초과
NEUTRAL = "#2F5597"  # a count or a rate drawn without a judgement (e.g. complaints per topic)
TARGET = "#1A1A1A"  # target lines (dashed)
PREVIOUS = "#9E9E9E"  # the period compared with (last month, last year), or a group too small to judge
PEER = "#757575"  # a peer group's average (dotted)
OPEN = "#5B9BD5"  # open, neither overdue nor at risk
# the manual's VOC types, one hue each, none of them a status colour
VOC_TYPE = {
    "문의": "#2F5597",
    "불만": "#8E44AD",
    "칭찬": "#00897B",
    "건의": "#5B9BD5",
    "유실물신고": "#8D6E63",
    "긴급요청": "#37474F",
    "고충": "#F06292",
}
OTHER = ["#4BACC6", "#F79646", "#9BBB59", "#8064A2", "#A5A5A5", "#264478", "#7F6084", "#0E7C86"]
# importance–performance quadrants by what they ask for: fix first = 미달, keep = 달성
QUADRANT = {
    "중점개선(우선 개선)": STATUS["미달"],
    "점진개선": STATUS["주의"],
    "유지강화": STATUS["달성"],
    "현상유지": NEUTRAL,
}
GRID = "#D9D9D9"
TEXT = "#1A1A1A"


def voc_types(names) -> dict[str, str]:
    """A colour per VOC type: the manual's types keep theirs; other names get the rest in sorted order."""
    others = sorted(n for n in set(names) if n not in VOC_TYPE)
    return {
        **{n: VOC_TYPE[n] for n in names if n in VOC_TYPE},
        **{n: OTHER[i % len(OTHER)] for i, n in enumerate(others)},
    }


def excel(colour: str) -> str:
    """openpyxl's form of a colour: hex without '#'."""
    return colour.lstrip("#").upper()
