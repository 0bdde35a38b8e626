"""Training records: required-hours rules per role (incl. the year before a certification application),
the loader's rejects and all-or-nothing store, rollback, the template round trip, KPI and report functions.
Expectations are computed by hand in the comments."""

from __future__ import annotations

import io
from dataclasses import replace
from datetime import date, datetime

import openpyxl
import pandas as pd
import pytest

from ccm import batches, db, training
from ccm.period import period
from etl import training as training_etl
from etl import training_template

HEAD = [
    "사번",
    "성명",
    "부서",
    "직렬",
    "직급",
    "역할",
    "교육기관",
    "과정명",
    "교육시작일",
    "교육종료일",
    "교육시간",
    "고용보험 환급 여부",
    "수료증 근거",
]


def _row(emp, name, dept, role, course, start, hours, end=None, refund="아니오", evidence=None):
    return [emp, name, dept, "일반직", "6급", role, "사내", course, start, end, hours, refund, evidence]


def _csv(tmp_path, rows, name="교육실적.csv"):
    path = tmp_path / name
    pd.DataFrame(rows, columns=HEAD).to_csv(path, index=False, encoding="cp949")
    return path


def _load(env, path):
    return training_etl.load(path, env.db_path, env, loaded_by="tester")


ROWS = [
    _row("C01", "최고객", "혁신안전팀", "CCO", "CCM 세미나", "2026-05-10", 3),  # CCO: 1 CCM course → meets
    _row(
        "S01", "김담당", "혁신안전팀", "CCM 담당자", "청렴교육", "2026-04-01", 2
    ),  # 담당자: no CCM course → short 1
    _row("S02", "이담당", "혁신안전팀", "CCM 담당자", "CCM 인증기업 정기교육", "2025-12-10", 6, "2025-12-10"),
    _row("S02", "이담당", "혁신안전팀", "CCM 담당자", "CCM 전문가 과정", "2026-06-01", 5),
    _row(
        "G01", "박일반", "문화사업팀", "일반", "친절서비스 교육", "2026-06-15", 2
    ),  # 일반: CS course → meets
    _row(
        "G02", "정일반", "문화사업팀", None, "개인정보보호 교육", "2026-03-03", 2
    ),  # blank role → 일반, short
    _row(
        "G03", "한작년", "관광사업팀", "일반", "친절서비스 교육", "2025-06-15", 2
    ),  # only last year → 0h in 2026
]


@pytest.fixture
def loaded(env, tmp_path):
    result = _load(env, _csv(tmp_path, ROWS))
    assert result.ok, result.rejects
    return env


def _people(env, year=2026, rules=None):
    with db.session(env.db_path) as con:
        return training.people(con, year, rules=rules or training.rules_from(env)).set_index("emp_no")


def test_role_rules_decide_who_meets_the_requirement(loaded):
    p = _people(loaded)
    # S02's 2026 record is a CCM course (2025-12-10 is last year) → meets; C01, G01 meet; S01, G02, G03 do not.
    assert p["meets"].to_dict() == {
        "C01": True,
        "G01": True,
        "G02": False,
        "G03": False,
        "S01": False,
        "S02": True,
    }
    assert p.loc["G02", "role"] == "일반" and p.loc["S01", "role"] == "CCM 담당자"
    assert p.loc["G03", "hours"] == 0.0 and p.loc["G03", "department"] == "관광사업팀"
    assert p.loc["S01", "requirement"] == "CCM 교육 1회 이상"


def test_hours_rules_count_ccm_and_all_hours(loaded):
    rules = training.rules_from(loaded)
    stricter = replace(
        rules,
        rules=(
            *[r for r in rules.rules if r.role != "CCM 담당자"],
            training.RoleRule("CCM 담당자", ccm_courses=1, ccm_hours=6, hours=6),
        ),
    )
    p = _people(loaded, rules=stricter)
    # S02 has 5 CCM hours in 2026 (< 6) → now short; S01 has 2 hours, 0 CCM.
    assert not p.loc["S02", "meets"] and not p.loc["S01", "meets"]
    assert (
        training.shortfall(stricter.rule("CCM 담당자"), 1, 1, 5.0, 5.0)
        == "CCM 교육 1.0시간, 교육 1.0시간 부족"
    )


def test_settings_members_override_the_file_role(loaded):
    rules = replace(training.rules_from(loaded), role_members=(("G01", "CCO"), ("X99", "CCM 리더")))
    p = _people(loaded, rules=rules)
    assert p.loc["G01", "role"] == "CCO"
    # X99 has no record at all: listed, so counted with 0 hours and below the 리더 rule
    assert p.loc["X99", "courses"] == 0 and not p.loc["X99", "meets"]


def test_certification_counts_ccm_hours_in_the_year_before_the_application(loaded):
    with db.session(loaded.db_path) as con:
        # window [2025-12-01, 2026-12-01): S02 6 + 5 = 11 h ≥ 10; S01 0 CCM hours
        early = training.certification(con, date(2026, 12, 1), training.rules_from(loaded)).set_index("사번")
        # window [2025-12-15, 2026-12-15): the 2025-12-10 course falls out → 5 h < 10
        late = training.certification(con, date(2026, 12, 15), training.rules_from(loaded)).set_index("사번")
    assert early.loc["S02", "CCM 교육시간(신청 전 1년)"] == 11.0 and bool(early.loc["S02", "충족"])
    assert early.loc["S01", "CCM 교육시간(신청 전 1년)"] == 0.0 and not bool(early.loc["S01", "충족"])
    assert late.loc["S02", "CCM 교육시간(신청 전 1년)"] == 5.0 and not bool(late.loc["S02", "충족"])
    assert "성명" not in early.columns


def test_kpi_completion_and_hours(loaded):
    with db.session(loaded.db_path) as con:
        # required: C01, S01, S02, G01, G02, G03 = 6; meeting: C01, S02, G01 = 3
        assert training.training_completion(con, 2026) == (3, 6)
        assert training.training_completion(con, 2026, "문화사업팀") == (1, 2)
        # up to 2026-06-01: S02's CCM course (06-01) not yet counted, G01 (first record 06-15) not yet known
        # → required C01, S01, S02, G02, G03 = 5; only C01 meets
        assert training.training_completion(con, 2026, until=date(2026, 6, 1)) == (1, 5)
        # CCM hours 2026: 3 (C01) + 5 (S02) + 2 (G01) = 10; all hours add 2 (S01) + 2 (G02) = 14
        assert training.training_hours(con, 2026) == 10.0
        assert training.training_hours(con, 2026, ccm_only=False) == 14.0
        assert training.training_hours(con, 2026, "혁신안전팀") == 8.0


def test_report_frame_counts_the_year_up_to_the_scope_end(loaded):
    with db.session(loaded.db_path) as con:
        h1 = training.report_frame(con, period("half", 2026, 1), datetime(2026, 11, 25))
    total = h1[h1["부서"] == "전체"].iloc[0]
    # up to 2026-06-30: all 2026 records are in H1 → hours 3 + 2 + 5 + 2 + 2 = 14
    assert total["교육시간 합계"] == 14.0 and total["요건 대상"] == 6 and total["요건 충족"] == 3
    assert (
        list(h1.columns[:3]) == ["기간", "부서", "인원"]
        and h1["기간"].iloc[0] == "2026년 1월 1일 ~ 2026-06-30"
    )
    with db.session(loaded.db_path) as con:
        q1 = training.report_frame(con, period("quarter", 2026, 1), datetime(2026, 11, 25))
    # up to 2026-03-31: only G02's 개인정보보호 교육 (2 h)
    assert q1[q1["부서"] == "전체"].iloc[0]["교육시간 합계"] == 2.0


def test_bad_rows_are_rejected_in_korean_and_nothing_is_written(env, tmp_path):
    rows = [
        _row("A1", "가나", "혁신안전팀", "일반", "친절서비스 교육", "2026-03-05", 2),
        _row("A2", "다라", "없는팀", "반장", "친절서비스 교육", "2026-03-05", "두시간", refund="몰라"),
        _row("A3", "마바", "혁신안전팀", "일반", "CCM 세미나", "2026-03-05", 30, end="2026-03-05"),
        _row("A1", "가나", "혁신안전팀", "일반", "친절서비스 교육", "2026-03-05", 2),
        _row(None, "사아", "혁신안전팀", "일반", "청렴교육", "2026-13-40", 1),
    ]
    result = _load(env, _csv(tmp_path, rows))
    assert not result.ok and result.exit_code == 1
    got = {(r["행"], r["열"], r["값"]) for r in result.rejects.to_dict("records")}
    assert got == {
        (3, "부서", "없는팀"),
        (3, "역할", "반장"),
        (3, "교육시간", "두시간"),
        (3, "고용보험 환급 여부", "몰라"),
        (4, "교육시간", "30"),
        (5, "과정명", "친절서비스 교육"),
        (6, "사번", ""),
        (6, "교육시작일", "2026-13-40"),
    }
    assert set(result.rejects["파일"]) == {"교육실적.csv"}
    assert "2행에도" in result.rejects.loc[result.rejects["행"] == 5, "사유"].iloc[0]
    with db.session(env.db_path) as con:
        assert con.execute("SELECT count(*) FROM training_records").fetchone()[0] == 0
        assert con.execute("SELECT count(*) FROM load_batches").fetchone()[0] == 0


def test_missing_required_column_is_a_file_error(env, tmp_path):
    path = tmp_path / "no_hours.csv"
    pd.DataFrame([["A1", "친절서비스 교육", "2026-03-05"]], columns=["사번", "과정명", "교육일"]).to_csv(
        path, index=False, encoding="cp949"
    )
    result = _load(env, path)
    assert result.exit_code == 2
    assert "'교육시간' 열이 없습니다" in result.rejects["사유"].iloc[0]


def test_same_file_twice_changes_nothing_and_a_correction_rolls_back(env, tmp_path):
    first = _load(env, _csv(tmp_path, ROWS[:2]))
    assert first.counts == {"inserted": 2, "updated": 0, "unchanged": 0}
    again = _load(env, _csv(tmp_path, ROWS[:2]))
    assert again.counts == {"inserted": 0, "updated": 0, "unchanged": 2}
    fixed = [ROWS[0], _row("S01", "김담당", "혁신안전팀", "CCM 담당자", "청렴교육", "2026-04-01", 3)]
    corrected = _load(env, _csv(tmp_path, fixed, "고친파일.csv"))
    assert corrected.counts == {"inserted": 0, "updated": 1, "unchanged": 1}
    with db.session(env.db_path) as con:
        with pytest.raises(batches.BatchError, match="먼저 되돌려야"):
            batches.rollback_batch(con, first.batch_id, "tester")
        assert batches.rollback_batch(con, corrected.batch_id, "tester") == {"removed": 1, "restored": 1}
        assert con.execute("SELECT hours FROM training_records WHERE emp_no = 'S01'").fetchone()[0] == 2.0
        assert (
            "교육 실적" in con.execute("SELECT detail FROM audit_log WHERE action = 'rollback'").fetchone()[0]
        )


def test_evidence_text_is_masked_and_the_name_kept_only_in_its_column(env, tmp_path):
    rows = [
        _row(
            "A1",
            "홍길동",
            "혁신안전팀",
            "일반",
            "친절서비스 교육",
            "2026-03-05",
            2,
            evidence="홍길동 수료증, 문의 010-1234-5678 hong@example.com",
        )
    ]
    assert _load(env, _csv(tmp_path, rows)).ok
    with db.session(env.db_path) as con:
        name, evidence = con.execute("SELECT name, evidence FROM training_records").fetchone()
    assert name == "홍길동"
    assert evidence == "[이름] 수료증, 문의 [전화번호] [이메일]"


def test_template_round_trip_with_dropdowns(env):
    wb = openpyxl.load_workbook(io.BytesIO(training_template.build(env, ["사내 CS 워크숍"])))
    assert wb.active.title == training_template.SHEET and wb["목록"].sheet_state == "hidden"
    ws = wb[training_template.SHEET]
    header = [c.value for c in ws[1]]
    assert header == training_template.HEADERS
    lists = {
        header[next(iter(dv.sqref.ranges)).min_col - 1]: dv.formula1
        for dv in ws.data_validations.dataValidation
    }
    assert {"부서", "직렬", "직급", "역할", "과정명", "고용보험 환급 여부", "CCM 교육 여부"} <= set(lists)
    col = lists["고용보험 환급 여부"].split("!")[1].split(":")[0].replace("$", "")[0]
    assert [c.value for c in wb["목록"][col]][1:3] == ["예", "아니오"]
    courses = [c.value for c in wb["목록"][lists["과정명"].split("!")[1].replace("$", "")[0]]]
    assert "사내 CS 워크숍" in courses and "CCM 리더 교육" in courses
    ws.append(
        [
            "B7",
            "오교육",
            "단산시설팀",
            "기술직",
            "7급",
            "CCM 리더",
            "사내",
            "CCM 리더 교육",
            "2026-02-03",
            None,
            4,
            "예",
            None,
            "결과보고 제1호",
        ]
    )
    ws.append(
        [
            "B8",
            "유교육",
            "단산시설팀",
            "기술직",
            "7급",
            None,
            "사내",
            "사내 CS 워크숍",
            "2026-02-04",
            None,
            1.5,
            "아니오",
            "아니오",
            None,
        ]
    )
    buf = io.BytesIO()
    wb.save(buf)
    result = training_etl.load(buf.getvalue(), env.db_path, env, file_name="서식.xlsx")
    assert result.ok, result.rejects
    with db.session(env.db_path) as con:
        r = training.records(con, date(2026, 1, 1), date(2027, 1, 1), training.rules_from(env)).set_index(
            "emp_no"
        )
    assert r.loc["B7", "role"] == "CCM 리더" and bool(r.loc["B7", "refund"]) and bool(r.loc["B7", "is_ccm"])
    # 'CS' is a keyword, but the file's 'CCM 교육 여부' = 아니오 wins
    assert r.loc["B8", "hours"] == 1.5 and not bool(r.loc["B8", "is_ccm"])
    assert r.loc["B7", "end_date"] == pd.Timestamp(2026, 2, 3)  # blank 종료일 = 시작일


def test_survey_name_matching_rule():
    suffixes = ("만족도", "설문", "조사")
    assert training._survey_key("CCM 리더 교육 만족도", suffixes) == training.norm("CCM 리더교육")
    assert training._survey_key("교육만족도", suffixes) == "교육"
    assert training._survey_key("만족도", suffixes) == "만족도"


def test_cli_loads_and_reports_rejects(env, tmp_path, capsys):
    from etl.__main__ import main

    assert main(["training", str(_csv(tmp_path, ROWS[:1])), "--db", str(env.db_path)]) == 0
    bad = _csv(
        tmp_path, [_row("A1", "가나", "혁신안전팀", "일반", "CCM 세미나", "2026-03-05", -1)], "bad.csv"
    )
    assert main(["training", str(bad), "--db", str(env.db_path)]) == 1
    assert "교육시간은 0보다 커야 합니다" in capsys.readouterr().out


def test_settings_checks_for_the_editor(env):
    from ccm import settings_edit

    assert training.validate_settings(env.raw) == []
    raw = {
        "training": {
            "rules": [{"role": "팀장", "ccm_courses": 1}, {"role": "CCO", "hours": -1}],
            "certification": {"hours": 0, "application_date": "2026-13-01"},
        }
    }
    problems = settings_edit.validate({**env.raw, **raw})
    assert any("1번째 규칙의 role" in p for p in problems)
    assert any("CCO 규칙의 hours" in p for p in problems)
    assert any("hours 는 0보다 큰" in p for p in problems) and any("application_date" in p for p in problems)


def test_an_hr_export_is_read_by_header_meaning(env, tmp_path):
    path = tmp_path / "인사시스템_교육이력.csv"
    pd.DataFrame(
        [["H1", "소속 없음", "혁신안전", "CS 리더", "친절서비스교육", "2026.07.01", "3시간", "Y"]],
        columns=[
            "직원번호",
            "교육생명",
            "소속부서",
            "CCM 역할",
            "교육과정명",
            "교육일자",
            "이수시간",
            "환급여부",
        ],
    ).to_csv(path, index=False, encoding="cp949")
    result = _load(env, path)
    assert result.ok, result.rejects
    with db.session(env.db_path) as con:
        row = con.execute(
            "SELECT emp_no, department, role, course, start_date, hours, refund FROM training_records"
        ).fetchone()
    # 혁신안전 → 혁신안전팀 ([organisation.department_aliases]); CS 리더 → CCM 리더; '3시간' → 3.0
    assert row == ("H1", "혁신안전팀", "CCM 리더", "친절서비스교육", date(2026, 7, 1), 3.0, True)


def test_report_frame_on_an_empty_database(env):
    with db.session(env.db_path) as con:
        out = training.report_frame(con, period("half", 2026, 2), datetime(2026, 11, 25))
    assert out.empty and list(out.columns[:2]) == ["기간", "부서"]
