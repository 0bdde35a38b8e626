"""One colour per meaning, for pages (plotly, HTML) and Excel alike: a status or a deadline state
has the same colour wherever it is drawn. Pure data, so `ccm` writers and `ui` pages can share it."""
from __future__ import annotations

STATUS = {"달성": "#1B7A3A", "주의": "#E0A800", "미달": "#C62828", "실적 없음": "#6B7280", "목표 없음": "#6B7280"}
ON_STATUS = {"달성": "#FFFFFF", "주의": "#1A1A1A", "미달": "#FFFFFF", "실적 없음": "#FFFFFF", "목표 없음": "#FFFFFF"}
STATUS_LIGHT = {"달성": "#C6EFCE", "주의": "#FFEB9C", "미달": "#FFC7CE", "실적 없음": "#EDEDED", "목표 없음": "#EDEDED"}

MET = STATUS["달성"]  # 기한 내 처리
AT_RISK = STATUS["주의"]  # 임박
OVERDUE = STATUS["미달"]  # 기한 초과
NEUTRAL = "#2F5597"  # a count or a rate drawn without a judgement (e.g. complaints per topic)
TARGET = "#1A1A1A"  # target lines (dashed)
GRID = "#D9D9D9"
TEXT = "#1A1A1A"


def excel(colour: str) -> str:
    """openpyxl's form of a colour: hex without '#'."""
    return colour.lstrip("#").upper()
