"""Real browser: the CCM team makes an improvement action from a cell of the trends page's severity ×
frequency matrix and finds it on the 개선과제 register (screenshots at 1366×768 and 1920×1080)."""

from __future__ import annotations

import pytest

from ccm import db
from tests.support.live_browser import login, main_text, nav_to, open_url, screenshot, settle

pytestmark = pytest.mark.browser


def test_action_from_the_trends_matrix_appears_on_the_register(page, server):
    open_url(page, server, "")
    login(page, "analyst")
    nav_to(page, "유형별 추이")
    page.get_by_role("tab", name="경중도×빈도").click()
    settle(page)
    page.get_by_text("시설 × 주제로 보기").click()
    settle(page)
    page.locator("[data-testid='stExpander'] summary").filter(has_text="개선과제 만들기").first.click()
    settle(page)
    _pick_first(page, ".st-key-tr_act_prev_pick")
    settle(page)
    page.locator(".st-key-tr_act_prev_form_0_title input").fill("브라우저 시험 개선과제")
    page.get_by_role("button", name="개선과제 만들기").first.click()
    settle(page)
    assert "만들었습니다" in main_text(page)
    screenshot(page, "actions_01_trends_created")
    nav_to(page, "개선과제")
    assert page.locator("[data-testid='stException']").count() == 0, main_text(page)[:2000]
    assert "전체 과제 9건" in " ".join(main_text(page).split())  # the demo's 8 and the new one
    with db.session(server.db_path) as con:
        row = con.execute(
            "SELECT action_id, origin FROM improvement_actions WHERE title = ?", ["브라우저 시험 개선과제"]
        ).fetchone()
    assert row is not None and row[1] == "경중도×빈도"
    grid = page.locator("[data-testid='stDataFrame']").first
    grid.wait_for()
    for width, height in ((1366, 768), (1920, 1080)):
        page.set_viewport_size({"width": width, "height": height})
        settle(page)
        assert screenshot(page, f"actions_02_register_{width}x{height}").stat().st_size > 10_000
    page.get_by_role("tab", name="효과").click()
    settle(page)
    screenshot(page, "actions_03_effect_1920x1080")
    page.get_by_role("tab", name="표").first.click()
    settle(page)
    screenshot(page, "actions_04_effect_table_1920x1080")
    page.get_by_role("tab", name="CCO 점검").click()
    settle(page)
    screenshot(page, "actions_05_cco_1920x1080")


def _pick_first(page, container: str) -> None:
    """Open a selectbox and take its first option (the list may need a second click once the expander opened)."""
    box = page.locator(container).get_by_role("combobox")
    box.wait_for()
    for _ in range(3):
        box.click()
        try:
            page.get_by_role("option").first.wait_for(timeout=5_000)
            break
        except Exception:  # noqa: BLE001 - playwright's TimeoutError: the list did not open, click again
            page.keyboard.press("Escape")
    page.get_by_role("option").first.click()
