"""The 전화친절도 page run as the real app: the demo, an empty database, a filter that leaves nothing, the
upload (dry run, then load) and the roles that may upload."""

from __future__ import annotations

import io

import pandas as pd

from ccm import db

HEAD = ["통화일", "부서", "평가자", "평가자 구분", "인사", "응대", "정확성", "종결", "합계", "비고"]


def _texts(at) -> str:
    return " ".join(
        [m.value for m in at.markdown] + [c.value for c in at.caption] + [i.value for i in at.info]
    )


def test_phone_page_on_demo_answers_first(demo_env, app_test):
    at = app_test("pages/phone.py").run()
    assert not at.exception
    assert {"부서별 점수", "추이", "항목별 득점률 (약한 항목부터)", "평가자 구분별"} <= {
        h.value for h in at.subheader
    }
    answer = next(m.value for m in at.markdown if "전화친절도는" in m.value)
    assert "가장 약한 항목은" in answer and "모니터링" in answer
    assert {"모니터링 건수", "가장 약한 항목"} <= {m.label for m in at.metric}
    depts = next(d.value for d in at.dataframe if "가장 약한 항목" in d.value.columns)
    assert {"부서", "모니터링 건수", "점수", "표본"} <= set(depts.columns)
    assert "점수 = 통화마다 점검 항목 점수의 합계" in _texts(at)
    labels = {b.label for b in at.get("download_button")}
    assert "전화친절도 모니터링 서식 내려받기" in labels


def test_phone_page_trend_by_quarter(demo_env, app_test):
    at = app_test("pages/phone.py").run()
    at.radio(key="phone_period").set_value("quarter").run()
    assert not at.exception
    trend = [d.value for d in at.dataframe if "기간" in d.value.columns]
    assert trend and trend[0]["기간"].str.contains("분기").all()


def test_phone_page_on_empty_database(app_test):
    at = app_test("pages/phone.py").run()
    assert not at.exception
    assert any("아직 적재된 전화친절도 모니터링 결과가 없습니다" in i.value for i in at.info)
    assert at.file_uploader(key="phone_file") is not None


def test_phone_page_filtered_to_nothing(demo_env, app_test):
    at = app_test("pages/phone.py")
    at.session_state["flt_kind"] = "year"
    at.session_state["flt_year"] = 2020
    at.session_state["flt_index"] = 1
    at.session_state["flt_depts"] = []
    at.run()
    assert not at.exception
    assert any("모니터링 결과가 없습니다" in i.value for i in at.info)
    assert not any("전화친절도는" in m.value for m in at.markdown)


def test_department_user_sees_no_upload(demo_env, app_test):
    at = app_test("pages/phone.py", role="부서", department="문화사업팀").run()
    assert not at.exception
    assert "모니터링 결과는 관리자·분석 권한 사용자가 올립니다." in _texts(at)
    depts = next(d.value for d in at.dataframe if "가장 약한 항목" in d.value.columns)
    assert list(depts["부서"]) == ["문화사업팀"]


XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _file(rows) -> bytes:
    buf = io.BytesIO()
    pd.DataFrame(rows, columns=HEAD).to_excel(buf, index=False)
    return buf.getvalue()


def test_upload_dry_run_then_load(env, app_test, db_path):
    rows = [
        ["2026-10-05", "문화사업팀", "E01", "내부", 20, 20, 20, 20, 85, ""],
        ["2026-10-06", "문화사업팀", "E02", "교차기관", 25, 25, 25, 25, 100, ""],
    ]
    at = app_test("pages/phone.py", role="분석").run()
    at.file_uploader(key="phone_file").upload("up.xlsx", _file(rows), XLSX).run()
    assert not at.exception
    plan = at.table[0].value
    assert plan.loc["이 파일의 평균 점수", "적재 후"] == "90.0점"
    assert any("적힌 합계 85" in w.value for w in at.warning)
    with db.session(db_path) as con:
        assert con.execute("SELECT count(*) FROM phone_calls").fetchone()[0] == 0  # a dry run writes nothing
    load = next(b for b in at.button if b.label == "확인하고 적재")
    load.click().run()
    assert not at.exception
    assert any("2건을 적재했습니다" in s.value for s in at.success)
    with db.session(db_path) as con:
        assert con.execute("SELECT count(*) FROM phone_calls").fetchone()[0] == 2
        assert (
            con.execute(
                "SELECT count(*) FROM audit_log WHERE action = 'upload' AND detail LIKE '%전화친절도%'"
            ).fetchone()[0]
            == 1
        )


def test_upload_with_errors_lists_them_and_cannot_load(env, app_test, db_path):
    rows = [["2026-10-05", "없는팀", "E01", "내부", 20, 20, 20, 20, None, ""]]
    at = app_test("pages/phone.py").run()
    at.file_uploader(key="phone_file").upload("bad.xlsx", _file(rows), XLSX).run()
    assert not at.exception
    rejects = next(d.value for d in at.dataframe if "사유" in d.value.columns)
    assert list(rejects["열"]) == ["부서"] and list(rejects["값"]) == ["없는팀"]
    assert next(b for b in at.button if b.label == "확인하고 적재").disabled


def test_phone_page_speaks_korean_on_the_demo(demo_env, app_test):
    from tests.support import page_text

    at = app_test("pages/phone.py").run()
    assert not at.exception
    assert page_text.problems(at, page_text.account_names(demo_env.db_path)) == []


def test_phone_page_downloads_print_on_a4(demo_env, app_test, monkeypatch):
    from etl import phone_template
    from tests.support import workbook_inspect as xl
    from ui import components

    offered = []
    original = components.downloads

    def record(df, name, **kwargs):
        offered.append((name, df))
        return original(df, name, **kwargs)

    monkeypatch.setattr(components, "downloads", record)
    assert not app_test("pages/phone.py").run().exception
    assert {"전화친절도_부서별", "전화친절도_항목별", "전화친절도_추이"} <= {n for n, _ in offered}
    problems = {n: xl.print_problems(xl.load(components.excel_bytes({n: df}))) for n, df in offered}
    assert {n: p for n, p in problems.items() if p} == {}
    template = xl.load(phone_template.build(demo_env))
    assert xl.print_problems(template) == []
