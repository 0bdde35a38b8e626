"""One name, one definition, one format: a figure of one kind reads the same on every page (on the
demo), and every number kind has one written format shared by pages and Excel."""
from __future__ import annotations

from datetime import date, datetime

import pytest

from ccm import formats, palette
from ccm import kpi as kpi_engine


def test_one_format_per_kind():
    assert formats.score(91.04) == "91.0점" and formats.score(90) == "90.0점"
    assert formats.pct(0.87587) == "87.6%" and formats.pct(1) == "100.0%"
    assert formats.pp(0.0123) == "+1.2%p" and formats.pp(-0.0744) == "-7.4%p" and formats.pp(0.0004) == "0.0%p"
    assert formats.count(1234) == "1,234건" and formats.count_change(-3) == "-3건" and formats.count_change(12) == "+12건"
    assert formats.month(date(2026, 1, 5)) == "2026년 1월" and formats.month((2026, 11)) == "2026년 11월"
    assert formats.day(datetime(2026, 1, 5, 14, 22, 31)) == "2026-01-05"
    assert formats.minute(datetime(2026, 1, 5, 14, 22, 31)) == "2026-01-05 14:22"
    assert (formats.yes_no(True), formats.yes_no(False), formats.yes_no(None)) == ("예", "아니오", "")


def test_missing_values_read_as_a_dash_never_none_or_nan():
    for fn in (formats.score, formats.pct, formats.pp, formats.count, formats.month, formats.day, formats.minute):
        assert fn(None) == "—"
    assert formats.pct(float("nan")) == "—" and formats.score(float("nan")) == "—"


def test_excel_uses_the_same_formats_as_the_pages():
    from ccm.xlsx_style import FORMATS

    for kind, fmt in formats.EXCEL.items():
        assert FORMATS[kind] == fmt, kind


def test_one_colour_per_status_and_deadline_state():
    assert palette.OVERDUE == palette.STATUS["미달"] and palette.MET == palette.STATUS["달성"]
    assert palette.QUADRANT["중점개선(우선 개선)"] == palette.OVERDUE
    assert set(palette.STATUS_NAMED) == set(palette.STATUS)
    assert not set(palette.VOC_TYPE.values()) & set(palette.STATUS.values())


def test_kpi_compliance_is_pooled_from_items_not_a_mean_of_monthly_rates():
    """January 9 of 10 met, February 1 of 10: pooled 10 ÷ 20 = 50% (the mean of 90% and 10% would be too,
    so March adds 80 of 80: pooled 90 ÷ 100 = 90%, mean of months 66.7%)."""
    rules = kpi_engine.Rules()
    values = {1: 90.0, 2: 10.0, 3: 100.0}
    pooled = {1: (9, 10), 2: (1, 10), 3: (80, 80)}
    r = kpi_engine.evaluate("higher", "average", 95, None, values, 3, rules, automatic=True, pooled=pooled)
    assert r["actual"] == pytest.approx(90.0) and r["attainment"] == pytest.approx(0.947)
    plain = kpi_engine.evaluate("higher", "average", 95, None, values, 3, rules, automatic=True)
    assert plain["actual"] == pytest.approx(200 / 3)
