"""Real browser (Playwright + Debian chromium) against a real `streamlit run dashboard.py`.

The first test must be the first page load of the module's fresh server (deep link before the router ran).
"""

import io
from pathlib import Path

import pytest

from ccm import audit, db
from ccm.settings import ROOT
from tests.support.live_browser import (
    USERS,
    login,
    main_text,
    nav_to,
    open_url,
    screenshot,
    session_cookie,
    settle,
)
from tests.support.overlapping_exports import voc_csv

pytestmark = pytest.mark.browser

PAGES = {  # url path: sidebar title (ui/nav.py); the default page (개요) is served at "/" only
    "": "개요",
    "sla": "처리기한 준수",
    "trends": "유형별 추이",
    "actions": "개선과제",
    "kpi": "KPI 달성",
    "pcsi": "고객만족도(PCSI)",
    "phone": "전화친절도",
    "training": "교육 이수",
    "ranking": "부서 평가·포상",
    "report": "반기 VOC 보고서",
    "meeting": "회의 화면",
    "upload": "데이터 올리기",
    "admin": "관리",
}


def _no_exception(page) -> None:
    assert page.locator("[data-testid='stException']").count() == 0, main_text(page)[:2000]


def test_deep_link_on_a_fresh_server_gets_the_apps_navigation_and_asks_for_login(page, server):
    # Streamlit runs a deep link on a fresh server in its legacy pages/-folder mode (without
    # dashboard.py); the bootstrap must install the app's navigation and re-run through the router.
    open_url(page, server, "admin")
    page.get_by_label("비밀번호").wait_for()  # the legacy run hands over to the router's run: wait for it
    settle(page)
    assert page.locator("[data-testid='stSidebarNav']").count() == 0  # signed out: no page list
    assert page.url.rstrip("/").endswith("/admin")
    assert "로그인" in main_text(page) and "사용자 추가" not in main_text(page)
    login(page, "admin")
    _no_exception(page)
    nav = page.locator("[data-testid='stSidebarNav']").inner_text()
    assert "dashboard" not in nav.split() and "처리기한 준수" in nav and "관리" in nav
    assert page.get_by_role("heading", name="관리").count() == 1 and "사용자 추가" in main_text(page)


@pytest.mark.parametrize("path", list(PAGES))
def test_logged_out_direct_url_shows_only_the_login_form(page, server, path):
    open_url(page, server, path)
    _no_exception(page)
    assert page.get_by_label("비밀번호").count() == 1
    assert page.locator("[data-testid='stMetric'], [data-testid='stDataFrame'], .stPlotlyChart").count() == 0


def test_wrong_password_is_refused(page, server):
    open_url(page, server, "")
    page.get_by_label("사용자 이름").fill("admin")
    page.get_by_label("비밀번호").fill("wrong-password")
    page.get_by_role("button", name="로그인").click()
    settle(page)
    assert "맞지 않습니다" in main_text(page)


@pytest.mark.parametrize(
    "user,absent", [("viewer", ["관리", "데이터 올리기"]), ("dept", ["관리", "회의 화면"]), ("admin", [])]
)
def test_the_sidebar_lists_only_the_pages_the_role_may_open(page, server, user, absent):
    open_url(page, server, "")
    login(page, user)
    links = page.locator("[data-testid='stSidebarNav'] a")
    titles = [
        links.nth(i).inner_text().strip().splitlines()[-1] for i in range(links.count())
    ]  # after the icon
    assert "개요" in titles and not set(absent) & set(titles)
    if user == "admin":
        assert "관리" in titles


@pytest.mark.parametrize(
    "path,user", [("admin", "viewer"), ("admin", "analyst"), ("admin", "dept"), ("upload", "viewer")]
)
def test_wrong_role_is_refused(page, server, path, user):
    open_url(page, server, path)
    login(page, user)
    _no_exception(page)
    assert "권한이 있어야 볼 수 있습니다" in main_text(page)


def test_every_page_after_login_with_a_screenshot(page, server):
    open_url(page, server, "")
    screenshot(page, "00_login")
    login(page, "admin")
    order = sorted(PAGES.items(), key=lambda kv: kv[0] == "meeting")  # the projector view hides the sidebar
    for i, (path, title) in enumerate(order, start=1):
        nav_to(page, title)
        _no_exception(page)
        assert page.url.rstrip("/") == f"{server.url}/{path}".rstrip("/")
        if path != "meeting":  # Streamlit's own "View more/less" would be English in the menu
            assert "View" not in page.locator("[data-testid='stSidebarNav']").inner_text()
        assert screenshot(page, f"{i:02d}_{path or 'overview'}").stat().st_size > 10_000
        for width, height in ((1366, 768), (1920, 1080)):  # a common projector and a full-HD screen
            page.set_viewport_size({"width": width, "height": height})
            settle(page)
            assert screenshot(page, f"{i:02d}_{path or 'overview'}_{width}x{height}").stat().st_size > 10_000
        page.set_viewport_size({"width": 1400, "height": 1400})


def test_voc_upload_flow(page, server, tmp_path):
    rows = [
        "BR-001,2026-11-02 10:00,문의,홈페이지,관광사업팀,철로자전거,완료,주차 문의,주차장 위치 문의,2026-11-02 11:00",
        "BR-002,2026-11-03 14:00,불만,대표전화,단산시설팀,단산모노레일,처리중,대기 불만,대기가 깁니다,",
    ]
    path = voc_csv(tmp_path, "browser_voc.csv", rows, encoding="cp949")
    open_url(page, server, "upload")
    login(page, "analyst")
    page.locator(".st-key-voc_up_file input[type=file]").set_input_files(str(path))
    settle(page)
    assert "인코딩 cp949" in main_text(page)
    page.locator(".st-key-voc_up_load button").click()
    settle(page)
    _no_exception(page)
    assert "적재했습니다 (배치" in main_text(page)
    screenshot(page, "upload_voc_done")
    with db.session(server.db_path) as con:
        assert con.execute("SELECT count(*) FROM voc_items WHERE voc_id LIKE 'BR-%'").fetchone()[0] == 2
        assert (
            audit.query(con, actions=("upload",), username="analyst")["상세"]
            .str.contains("browser_voc.csv")
            .any()
        )


def test_survey_upload_flow(page, server):
    sample = ROOT / "data" / "samples" / "survey_pcsi_2025.xlsx"
    open_url(page, server, "upload")
    login(page, "admin")
    page.get_by_role("tab", name="고객만족도 설문").click()
    settle(page)
    page.locator(".st-key-survey_file input[type=file]").set_input_files(str(sample))
    settle(page)
    _no_exception(page)
    _pick_survey(page, "PCSI")
    assert "적재하면 바뀌는 내용" in main_text(page)
    confirm = page.locator("[class*='st-key-survey_confirm_'] label")
    if confirm.count():  # the demo already holds this survey: replacing it needs the red confirmation
        confirm.click()
        settle(page)
    page.locator("[class*='st-key-survey_load_'] button").click()
    settle(page)
    _no_exception(page)
    assert "적재하지 않았습니다" not in main_text(page)
    screenshot(page, "upload_survey_done")
    with db.session(server.db_path) as con:
        log = audit.query(con, actions=("upload",), username="admin")
    assert log["상세"].str.contains("survey_pcsi_2025.xlsx").any()


def _pick_survey(page, name: str) -> None:
    page.locator("[class*='st-key-survey_pick_']").get_by_role("combobox").click()
    page.get_by_role("option", name=name, exact=True).click()
    settle(page)


def test_a_department_account_is_refused_replacing_the_corporate_pcsi(page, server):
    sample = ROOT / "data" / "samples" / "survey_pcsi_2025.xlsx"
    count = (
        "SELECT count(*) FROM survey_respondents JOIN survey_batches USING (batch_id) "
        "WHERE active AND survey = 'PCSI'"
    )
    with db.session(server.db_path) as con:
        before = con.execute(count).fetchone()[0]
    open_url(page, server, "upload")
    login(page, "dept")
    page.get_by_role("tab", name="고객만족도 설문").click()
    settle(page)
    page.locator(".st-key-survey_file input[type=file]").set_input_files(str(sample))
    settle(page)
    _no_exception(page)
    load = page.locator("[class*='st-key-survey_load_'] button")
    assert load.is_disabled()  # no survey name is proposed
    _pick_survey(page, "PCSI")
    _no_exception(page)
    shown = main_text(page)
    assert "적재할 수 없습니다" in shown and "관리자·분석 계정만 올리거나 바꿀 수 있습니다" in shown
    assert load.is_disabled() and "적재하면 바뀌는 내용" not in shown
    page.get_by_text("적재할 수 없습니다").scroll_into_view_if_needed()
    screenshot(page, "upload_survey_department_refused")
    with db.session(server.db_path) as con:
        assert con.execute(count).fetchone()[0] == before


def test_a_sparse_workbook_upload_is_refused_and_the_server_keeps_serving_another_session(
    page, other_page, server, tmp_path
):
    # a 5 KB workbook with one cell at XFD1048576 made the Excel reader ask for 512 GB and abort the server
    import urllib.request

    from tests.test_hostile_files import hidden_far_cell, sparse_workbook

    path = sparse_workbook(tmp_path / "sparse.xlsx")
    open_url(page, server, "upload")
    login(page, "dept")  # any account that may upload: a 부서 account loads surveys and KPIs
    page.get_by_role("tab", name="고객만족도 설문").click()
    settle(page)
    page.locator(".st-key-survey_file input[type=file]").set_input_files(str(path))
    settle(page)
    _no_exception(page)
    shown = main_text(page)
    assert "sparse.xlsx" in shown and "열 16,384개 (한도 500개)" in shown
    screenshot(page, "upload_sparse_refused")
    # the same far cell hidden from the checks before parsing: the parsing child dies, not the server
    page.locator(".st-key-survey_file input[type=file]").set_input_files(
        str(hidden_far_cell(tmp_path / "hidden.xlsx"))
    )
    settle(page)
    _no_exception(page)
    assert "hidden.xlsx: 파일을 읽다가 메모리 한도(4 GB)를 넘었습니다" in main_text(page)
    screenshot(page, "upload_sparse_child_out_of_memory")
    with urllib.request.urlopen(f"{server.url}/_stcore/health", timeout=10) as r:
        assert r.status == 200
    open_url(other_page, server, "")
    login(other_page, "viewer")
    _no_exception(other_page)
    assert other_page.locator("[data-testid='stMetric']").count() > 0
    screenshot(other_page, "upload_sparse_other_session")
    page.get_by_role("tab", name="KPI 실적").click()  # the refusing session itself goes on working
    settle(page)
    _no_exception(page)
    assert "KPI 통합 문서" in main_text(page)


def test_download_of_a_table(page, server):
    open_url(page, server, "admin")
    login(page, "admin")
    with page.expect_download() as info:
        page.locator(".st-key-dl_csv_admin_users button").click()
    download = info.value
    assert download.suggested_filename == "사용자_목록.csv"
    text = open(download.path(), encoding="utf-8-sig").read()
    assert text.splitlines()[0].startswith("사용자,권한,부서") and "viewer,열람" in text


def _received(page) -> int:
    metric = page.locator("[data-testid='stMetric']").filter(has_text="접수 VOC").first
    return int(metric.locator("[data-testid='stMetricValue']").inner_text().replace(",", "").rstrip("건"))


def test_cli_load_while_the_dashboard_is_open_shows_new_data_without_restart(page, server, tmp_path):
    import subprocess
    import sys

    from tests.support.overlapping_exports import many_rows

    open_url(page, server, "")
    login(page, "analyst")
    before = _received(page)  # the overview opens on the last complete month: 2026-10 (now is 2026-11-25)
    path = voc_csv(tmp_path, "cli_during_view.csv", many_rows("HTTP", 2000, day="2026-10-14"))
    env = {
        **__import__("os").environ,
        "CCM_SETTINGS": str(server.settings_path),
        "CCM_DB": str(server.db_path),
    }
    proc = subprocess.Popen(
        [sys.executable, "-m", "etl", "voc", str(path)],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        encoding="utf-8",
    )
    views = 0
    while proc.poll() is None:
        nav_to(page, "개요")
        _no_exception(page)
        assert "Could not set lock" not in main_text(page)
        views += 1
    assert proc.wait() == 0, proc.stderr.read()
    assert views >= 1
    nav_to(page, "개요")
    assert _received(page) == before + 2000


def _signed_in(page) -> bool:
    """No login form, and the account box (hidden with the sidebar on the meeting and print views) is there."""
    return page.get_by_label("비밀번호").count() == 0 and page.locator(".st-key-auth_logout").count() == 1


def test_a_refresh_keeps_the_login_and_the_cookie_holds_only_a_random_token(page, server):
    open_url(page, server, "")
    login(page, "analyst")
    nav_to(page, "회의 화면")
    page.reload()
    settle(page)
    _no_exception(page)
    assert (
        _signed_in(page) and page.url.rstrip("/").endswith("/meeting") and "CCM 주요 지표" in main_text(page)
    )
    cookie = session_cookie(page)
    assert cookie["sameSite"] == "Strict" and len(cookie["value"]) == 43
    assert USERS["analyst"][2] not in cookie["value"] and "analyst" not in cookie["value"]


def test_the_print_view_opens_from_its_button_in_a_new_tab_without_a_second_login(page, server):
    open_url(page, server, "report")
    login(page, "analyst")
    with page.context.expect_page() as opened:
        page.get_by_role("link", name="인쇄용 요약(A4) 열기").click()
    tab = opened.value
    tab.set_default_timeout(60_000)
    settle(tab)
    _no_exception(tab)
    assert "print=1" in tab.url and tab.get_by_label("비밀번호").count() == 0
    assert "반기별 VOC 분석 결과보고서 —" in main_text(tab)
    screenshot(tab, "report_print_new_tab")


def test_logout_ends_the_login_in_every_tab_and_after_a_refresh(page, server):
    open_url(page, server, "")
    login(page, "viewer")
    other = page.context.new_page()
    open_url(other, server, "sla")
    assert _signed_in(other)
    page.get_by_role("button", name="로그아웃").click()
    settle(page)
    assert session_cookie(page) is None
    page.reload()
    settle(page)
    assert page.get_by_label("비밀번호").count() == 1
    other.reload()
    settle(other)
    assert other.get_by_label("비밀번호").count() == 1
    with db.session(server.db_path) as con:
        assert audit.query(con, actions=("logout",), username="viewer").shape[0] >= 1


# --- meeting view on a projector -----------------------------------------------------------------

MEETING_LAYOUT_JS = """() => {
  const main = document.querySelector('[data-testid="stMain"]');
  const visible = el => { const r = el.getBoundingClientRect(); const s = getComputedStyle(el);
    return r.width > 0 && r.height > 0 && s.visibility !== 'hidden' && s.display !== 'none'; };
  const all = [...main.querySelectorAll('*')].filter(visible);
  const px = el => parseFloat(getComputedStyle(el).fontSize);
  const ownText = el => [...el.childNodes].some(n => n.nodeType === 3 && n.textContent.trim());
  return {
    docHeight: document.scrollingElement.scrollHeight, innerHeight, innerWidth,
    mainScroll: main.scrollHeight - main.clientHeight,
    bottom: Math.max(...all.map(el => el.getBoundingClientRect().bottom)),
    right: Math.max(...all.map(el => el.getBoundingClientRect().right)),
    values: [...document.querySelectorAll('.mt-value')].map(px),
    axis: [...main.querySelectorAll('.xtick text, .ytick text')].map(px),
    smallest: Math.min(...all.filter(ownText).map(px)),
    cards: [...document.querySelectorAll('.mt-card')].map(el => [el.dataset.status, getComputedStyle(el).backgroundColor]),
  };
}"""
CONTROLS = [
    "[data-testid='stTabs']",
    "[data-testid='stDownloadButton']",
    "[data-testid='stToolbar']",
    "[data-testid='stHeader']",
    "[data-testid='stSidebar']",
    "[data-testid='stExpandSidebarButton']",
    "[data-testid='stElementToolbar']",
    ".modebar",
    "[data-testid='stMain'] button",
    "[data-testid='stMain'] a",
    "[data-testid='stMain'] input",
]


def _rgb(hex_colour: str) -> str:
    r, g, b = (int(hex_colour[i : i + 2], 16) for i in (1, 3, 5))
    return f"rgb({r}, {g}, {b})"


@pytest.mark.parametrize("width,height", [(1366, 768), (1920, 1080)])
def test_meeting_view_fits_a_projector_screen_without_controls(browser, server, width, height):
    from ccm import palette

    context = browser.new_context(viewport={"width": width, "height": height}, locale="ko-KR")
    page = context.new_page()
    page.set_default_timeout(60_000)
    try:
        open_url(page, server, "meeting")
        page.get_by_label("비밀번호").wait_for()
        settle(page)
        page.get_by_label("사용자 이름").fill("analyst")  # login() waits for the sidebar, hidden here
        page.get_by_label("비밀번호").fill(USERS["analyst"][2])
        page.get_by_role("button", name="로그인").click()
        page.locator(".js-plotly-plot .ytick text").first.wait_for()
        page.locator("[data-testid='stMain'] .js-plotly-plot").last.hover()  # a hover shows no toolbar either
        settle(page)
        _no_exception(page)
        m = page.evaluate(MEETING_LAYOUT_JS)
        assert m["docHeight"] <= m["innerHeight"] and m["mainScroll"] <= 0, m
        assert m["bottom"] <= height and m["right"] <= width, m  # nothing cut off below or beside the screen
        for selector in CONTROLS:
            shown = [el for el in page.locator(selector).all() if el.is_visible()]
            assert not shown, selector
        assert len(m["values"]) == 4 and min(m["values"]) >= 48, m["values"]
        assert m["axis"] and min(m["axis"]) >= 16, m["axis"]
        assert m["smallest"] >= 16, m["smallest"]  # every text on the screen, not only the axes
        assert {s for s, _ in m["cards"]} <= set(palette.STATUS)
        assert all(bg == _rgb(palette.STATUS[s]) for s, bg in m["cards"]), m["cards"]
        assert screenshot(page, f"meeting_{width}x{height}").stat().st_size > 10_000
    finally:
        context.close()


def test_cco_monthly_review_downloads_the_kpi_workbook(page, server):
    """The CCO's journey: KPI page, the answer at the top, the review workbook in one click."""
    import openpyxl

    open_url(page, server, "kpi")
    login(page, "admin")
    _no_exception(page)
    assert "미달·주의 KPI" in main_text(page)
    with page.expect_download() as info:
        page.get_by_role("button", name="KPI 검토 자료 Excel").click()
    download = info.value
    assert download.suggested_filename.startswith("KPI_검토_") and download.suggested_filename.endswith(
        ".xlsx"
    )
    wb = openpyxl.load_workbook(io.BytesIO(Path(download.path()).read_bytes()))
    assert len(wb.sheetnames) >= 3 and all(ws.page_setup.paperSize in (9, "9") for ws in wb.worksheets)
    screenshot(page, "journey_cco_kpi")


def test_ccm_team_half_year_workbook_and_print_view(page, server):
    """The CCM team's journey: the semiannual workbook, then the print view from its button."""
    import openpyxl

    open_url(page, server, "report")
    login(page, "admin")
    page.get_by_role("button", name="보고서(Excel) 만들기").click()
    settle(page)
    _no_exception(page)
    with page.expect_download(timeout=120_000) as info:
        page.get_by_role("button", name="보고서 내려받기 (.xlsx)").click()
    assert info.value.suggested_filename.startswith("VOC_반기보고서_")
    wb = openpyxl.load_workbook(io.BytesIO(Path(info.value.path()).read_bytes()))
    assert len(wb.sheetnames) == 13  # ten VOC sheets and three of the CCM loop
    screenshot(page, "journey_ccm_report")
