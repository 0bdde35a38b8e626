"""Anyone can type any address: every value the app reads from the URL is checked. A bad value gives a
Korean warning naming it and what is allowed, and the page shows its default — never a traceback.
The demo's latest VOC is from 2026 (CCM_NOW pinned to 2026-11-25): report years 2021~2026, default
half-year 2026년 상반기."""

from __future__ import annotations

import pytest

from ui import params


def _report(app_test, **query):
    at = app_test("pages/report.py")
    for k, v in query.items():
        at.query_params[k] = v
    return at.run()


def _warnings(at) -> list[str]:
    return [w.value for w in at.warning]


def _print_title(at) -> str:
    html = "\n".join(h.proto.body for h in at.get("html"))
    return (
        html.split("반기별 VOC 분석 결과보고서 — ", 1)[1].split("<", 1)[0] if "결과보고서 — " in html else ""
    )


@pytest.mark.parametrize(
    "year, shown",
    [
        ("abc", "'abc'"),
        ("12345678901234567890", "'12345678901234567890'"),
        ("-2025", "'\\-2025'"),
        ("", "(빈 값)"),
        ("1999", "'1999'"),
        ("2025.5", "'2025\\.5'"),
    ],
)
def test_bad_year_in_print_view_warns_and_prints_the_default_half(demo_env, app_test, year, shown):
    at = _report(app_test, print="1", year=year, half="2")
    assert not at.exception
    assert _warnings(at) == [
        f"주소에 적힌 연도 {shown}은(는) 쓸 수 없습니다(허용: 2021~2026). 2026년을 보여 줍니다."
    ]
    assert _print_title(at) == "2026년 하반기"


@pytest.mark.parametrize("half", ["3", "0", "-1", "", "상", "99999999999999999999"])
def test_bad_half_in_print_view_warns_and_prints_the_default_half(demo_env, app_test, half):
    at = _report(app_test, print="1", year="2025", half=half)
    assert not at.exception
    [warning] = _warnings(at)
    assert (
        warning.startswith("주소에 적힌 반기 ")
        and "(허용: 1(상반기) 또는 2(하반기)). 상반기를 보여 줍니다." in warning
    )
    assert _print_title(at) == "2025년 상반기"


def test_good_print_address_gives_no_warning(demo_env, app_test):
    at = _report(app_test, print="1", year="2025", half="2")
    assert not at.exception and _warnings(at) == [] and _print_title(at) == "2025년 하반기"


@pytest.mark.parametrize("value", ["yes", "2", ""])
def test_bad_print_value_warns_and_shows_the_normal_page(demo_env, app_test, value):
    at = _report(app_test, print=value)
    assert not at.exception
    [warning] = _warnings(at)
    assert "주소에 적힌 인쇄 보기" in warning and "1(인쇄용 요약) 또는 0(보통 화면)" in warning
    assert [t.value for t in at.title] == ["반기 VOC 분석 결과보고서"]


def test_bad_year_on_the_normal_page_warns_and_selects_the_default(demo_env, app_test):
    at = _report(app_test, year="abc", half="3")
    assert not at.exception
    assert len(_warnings(at)) == 2
    assert at.selectbox(key="rp_year").value == 2026 and at.radio(key="rp_half").value == 1


def test_good_year_on_the_normal_page_is_selected(demo_env, app_test):
    at = _report(app_test, year="2024", half="2")
    assert not at.exception and _warnings(at) == []
    assert at.selectbox(key="rp_year").value == 2024 and at.radio(key="rp_half").value == 2


def test_value_with_markdown_is_shown_as_typed_not_rendered(demo_env, app_test):
    at = _report(app_test, print="1", year=":red[x](javascript:alert(1))")
    [warning] = _warnings(at)
    assert "[x](javascript" not in warning and ":red[" not in warning
    assert "\\[x\\]" in warning


def test_long_value_is_cut_in_the_message():
    assert params.shown("1" * 200) == "'" + "1" * params.SHOWN_CHARS + "…'"


def test_every_url_parameter_read_goes_through_the_checks():
    """No page or helper reads st.query_params directly except ui/params.py."""
    from ccm.settings import ROOT

    readers = [
        p.relative_to(ROOT).as_posix()
        for folder in ("pages", "ui")
        for p in (ROOT / folder).glob("*.py")
        if "query_params" in p.read_text(encoding="utf-8")
    ]
    assert readers == ["ui/params.py"]
