"""Phone-courtesy monitoring: loading real files (xlsx, CP949 CSV), Korean row errors, masking, rollback,
and the aggregation by department, period and item with hand-computed figures."""

from __future__ import annotations

import io
import re
from datetime import date

import pandas as pd
import pytest

from ccm import batches, db, phone
from ccm.period import Scope
from etl import phone as phone_etl
from etl import phone_template

HEAD = ["통화일", "부서", "평가자", "평가자 구분", "인사", "응대", "정확성", "종결", "합계", "비고"]
# Hand-made calls (default checklist: 4 items × 25 = 100):
# 문화사업팀 Jan: 100 (25,25,25,25), 80 (20,20,20,20)         → mean 90; items 인사 90%, 응대 90%, 정확성 90%, 종결 90%
# 문화사업팀 Feb: 60 (20,20,10,10)                            → 60; weakest 정확성/종결 40% → 정확성 (name order)
# 관광사업팀 Jan: 70 (25,20,15,10)                            → 70; weakest 종결 40%
# 관광사업팀 Apr: 50 (10,10,15,15)                            → 50; weakest 인사/응대 40% → 응대 (name order: 응대 < 인사)
ROWS = [
    ["2026-01-05", "문화사업팀", "E01", "내부", 25, 25, 25, 25, 100, ""],
    ["2026.1.20", "문화사업팀", "홍길동", "교차기관", 20, 20, 20, 20, 80, "홍길동 평가, 회신 010-1234-5678"],
    ["2026-02-03", "문화사업팀", "E01", "외부기관", 20, 20, 10, 10, 60, ""],
    ["2026-01-15", "관광사업팀", "E02", "내부", 25, 20, 15, 10, 70, ""],
    ["2026-04-10", "관광사업팀", "E02", "외부", 10, 10, 15, 15, 50, ""],
]


def _xlsx(path, rows, head=HEAD):
    df = pd.DataFrame(rows, columns=head)
    with pd.ExcelWriter(path, engine="openpyxl") as w:
        df.to_excel(w, index=False, sheet_name="전화친절도")
    return path


def _load(db_path, env, path):
    with db.session(db_path) as con:
        return phone_etl.load(con, path, env, loaded_by="test")


@pytest.fixture
def loaded(env, db_path, tmp_path):
    result = _load(db_path, env, _xlsx(tmp_path / "calls.xlsx", ROWS))
    assert result.status == "loaded", result.rejects
    return result


YEAR = Scope(date(2026, 1, 1), date(2027, 1, 1))


def test_scores_by_department_and_month(loaded, db_path):
    with db.session(db_path) as con:
        df = phone.scores(con, YEAR, "month", 2)
    got = {
        (r.department, r.period): (r.n, round(r.score, 6), r.weakest_item, round(r.weakest_pct, 6), r.small_n)
        for r in df.itertuples()
    }
    assert got == {
        ("문화사업팀", "2026년 1월"): (2, 90.0, "응대", 0.9, False),  # all 90%: first by name
        ("문화사업팀", "2026년 2월"): (1, 60.0, "정확성", 0.4, True),
        ("관광사업팀", "2026년 1월"): (1, 70.0, "종결", 0.4, True),
        ("관광사업팀", "2026년 4월"): (1, 50.0, "응대", 0.4, True),
    }
    change = df.set_index(["department", "period"])["change"]
    assert change[("문화사업팀", "2026년 2월")] == pytest.approx(-30.0)
    assert change[("관광사업팀", "2026년 4월")] == pytest.approx(-20.0)


def test_scores_by_quarter_and_half(loaded, db_path):
    with db.session(db_path) as con:
        q = phone.scores(con, YEAR, "quarter", 3).set_index(["department", "period"])
        h = phone.scores(con, YEAR, "half", 3).set_index(["department", "period"])
    assert q.loc[("문화사업팀", "2026년 1분기"), "score"] == pytest.approx(80.0)  # (100 + 80 + 60) / 3
    assert (
        q.loc[("문화사업팀", "2026년 1분기"), "n"] == 3
        and not q.loc[("문화사업팀", "2026년 1분기"), "small_n"]
    )
    assert q.loc[("관광사업팀", "2026년 2분기"), "score"] == pytest.approx(50.0)
    assert h.loc[("관광사업팀", "2026년 상반기"), "score"] == pytest.approx(60.0)  # (70 + 50) / 2
    assert h.loc[("관광사업팀", "2026년 상반기"), "small_n"]  # 2 calls < 3


def test_by_department_weakest_item_over_the_period(loaded, db_path):
    with db.session(db_path) as con:
        df = phone.by_department(con, YEAR, 3).set_index("department")
        items = phone.item_scores(con, YEAR, True)
    # 문화사업팀 정확성: (25 + 20 + 10) / 75 = 73.3%, 종결 the same → 정확성 by name; 인사 = 응대 = 65/75
    assert df.loc["문화사업팀", "weakest_item"] == "정확성"
    assert df.loc["문화사업팀", "weakest_pct"] == pytest.approx(55 / 75)
    assert df.loc["관광사업팀", "score"] == pytest.approx(60.0) and df.loc["관광사업팀", "small_n"]
    assert list(df.index) == ["문화사업팀", "관광사업팀"]  # judged first, small samples last
    tour = items[items["department"] == "관광사업팀"].set_index("item")
    assert tour.loc["인사", "pct"] == pytest.approx(35 / 50) and tour.loc["종결", "pct"] == pytest.approx(
        25 / 50
    )
    assert tour.loc["종결", "rank"] == 1


def test_overall_and_department_filter(loaded, db_path):
    with db.session(db_path) as con:
        everyone = phone.overall(con, YEAR)
        one = phone.overall(con, Scope(date(2026, 1, 1), date(2026, 2, 1), ("관광사업팀",)))
    assert everyone == {"n": 5, "score": pytest.approx(72.0), "departments": 2}  # (100+80+60+70+50)/5
    assert one == {"n": 1, "score": pytest.approx(70.0), "departments": 1}


def test_monthly_score_for_kpi(loaded, db_path):
    with db.session(db_path) as con:
        assert phone.monthly_score(con, 2026, 3, "문화사업팀") == {1: (90.0, 2), 2: (60.0, 1)}
        assert phone.monthly_score(con, 2026, 12)[4] == (50.0, 1)


def test_evaluator_name_hashed_and_note_masked(loaded, db_path):
    with db.session(db_path) as con:
        rows = con.execute(
            "SELECT evaluator_id, note, evaluator_type FROM phone_calls ORDER BY source_row"
        ).fetchall()
    assert rows[0][0] == "E01"
    assert re.fullmatch(r"평가자-\d{8}", rows[1][0])  # a number, never the name (nor hex letters on a page)
    assert rows[1][1] == "[이름] 평가, 회신 [전화번호]"
    assert rows[4][2] == "외부기관"  # '외부' is an alias


def test_total_recomputed_with_a_korean_warning(env, db_path, tmp_path):
    rows = [r.copy() for r in ROWS]
    rows[2][8] = 65  # 20+20+10+10 = 60
    result = _load(db_path, env, _xlsx(tmp_path / "t.xlsx", rows))
    assert result.status == "loaded"
    assert result.warnings == [
        "t.xlsx 4행 '합계' 열: 적힌 합계 65이(가) 항목 점수의 합계 60와 다릅니다 — "
        "항목 점수의 합계 60로 저장합니다."
    ]
    with db.session(db_path) as con:
        assert con.execute("SELECT total FROM phone_calls WHERE source_row = 4").fetchone()[0] == 60


def test_rejects_name_file_row_column_value_and_store_nothing(env, db_path, tmp_path):
    rows = [r.copy() for r in ROWS]
    rows[0][1] = "없는팀"
    rows[1][5] = 30  # 응대 above its max of 25
    rows[2][0] = "어제"
    rows[3][3] = "모름"
    result = _load(db_path, env, _xlsx(tmp_path / "bad.xlsx", rows))
    assert result.status == "rejected" and result.exit_code == 1
    got = {(r["파일"], r["행"], r["열"], r["값"]) for _, r in result.rejects.iterrows()}
    assert got == {
        ("bad.xlsx", 2, "부서", "없는팀"),
        ("bad.xlsx", 3, "응대", "30"),
        ("bad.xlsx", 4, "통화일", "어제"),
        ("bad.xlsx", 5, "평가자 구분", "모름"),
    }
    reasons = " ".join(result.rejects["사유"])
    assert "0~25점" in reasons and "허용: 내부 / 교차기관 / 외부기관" in reasons
    with db.session(db_path) as con:
        assert con.execute("SELECT count(*) FROM phone_calls").fetchone()[0] == 0
        assert con.execute("SELECT count(*) FROM load_batches").fetchone()[0] == 0


def test_missing_item_column_is_one_file_error(env, db_path, tmp_path):
    head = [h for h in HEAD if h != "종결"]
    rows = [r[:7] + r[8:] for r in ROWS]
    with pytest.raises(phone_etl.PhoneError, match="'종결' 열이 없습니다"):
        _load(db_path, env, _xlsx(tmp_path / "x.xlsx", rows, head))


def test_cp949_csv_with_title_row_and_other_spellings(env, db_path, tmp_path):
    head = [
        "모니터링일자",
        "부서명",
        "모니터요원",
        "평가구분",
        "첫인사",
        "응대태도",
        "업무지식",
        "마무리",
        "총점",
        "의견",
    ]
    path = tmp_path / "calls.csv"
    with open(path, "w", encoding="cp949", newline="") as fh:
        fh.write("2026년 전화친절도 모니터링 결과\n")
        pd.DataFrame(ROWS, columns=head).to_csv(fh, index=False)
    result = _load(db_path, env, path)
    assert result.status == "loaded" and result.n_calls == 5
    with db.session(db_path) as con:
        assert phone.overall(con, YEAR)["score"] == pytest.approx(72.0)


def test_a_corrected_file_says_which_calls_are_already_stored(env, db_path, tmp_path):
    first = _load(db_path, env, _xlsx(tmp_path / "calls.xlsx", ROWS))
    fixed = _load(
        db_path, env, _xlsx(tmp_path / "calls_fixed.xlsx", ROWS[:3])
    )  # same three calls, another file
    assert fixed.status == "loaded"
    said = [w for w in fixed.warnings if "이미 적재된 통화와 같은 행" in w]
    assert said == [
        f"이미 적재된 통화와 같은 행이 3건 있습니다(적재 번호 {first.batch_id}): 고친 파일이면 이전 적재를 "
        "관리 화면에서 먼저 되돌리세요. 그대로 두면 그 통화가 두 번 집계됩니다."
    ]
    with db.session(db_path) as con:
        phone.rollback(con, first.batch_id)
    again = _load(
        db_path, env, _xlsx(tmp_path / "calls_more.xlsx", ROWS[:4])
    )  # a rolled-back load holds nothing
    assert [w for w in again.warnings if "이미 적재된" in w] == [
        f"이미 적재된 통화와 같은 행이 3건 있습니다(적재 번호 {fixed.batch_id}): 고친 파일이면 이전 적재를 관리 화면에서 "
        "먼저 되돌리세요. 그대로 두면 그 통화가 두 번 집계됩니다."
    ]


def test_same_file_twice_changes_nothing_and_rollback(env, db_path, tmp_path):
    path = _xlsx(tmp_path / "calls.xlsx", ROWS)
    first = _load(db_path, env, path)
    again = _load(db_path, env, path)
    assert again.status == "unchanged" and again.batch_id == first.batch_id
    with db.session(db_path) as con:
        assert batches.rollback_batch(con, first.batch_id, "관리자") == {
            "removed": 5
        }  # the admin page's dispatch
        assert (
            con.execute("SELECT detail FROM audit_log WHERE action = 'rollback'").fetchone()[0]
            == f"적재번호 {first.batch_id} (전화친절도 모니터링, calls.xlsx) 지운 건 5"
        )
        assert con.execute("SELECT count(*) FROM phone_scores").fetchone()[0] == 0
        assert (
            con.execute("SELECT status FROM load_batches WHERE batch_id = ?", [first.batch_id]).fetchone()[0]
            == "rolled_back"
        )
        with pytest.raises(ValueError, match="이미 되돌린"):
            phone.rollback(con, first.batch_id)
    assert _load(db_path, env, path).status == "loaded"  # loadable again after the rollback


def test_template_round_trips_through_the_loader(env, db_path, tmp_path):
    from openpyxl import load_workbook

    data = phone_template.build(env)
    wb = load_workbook(io.BytesIO(data))
    ws = wb[phone_template.SHEET]
    assert [c.value for c in ws[1]] == HEAD
    lists = {str(dv.sqref).split(":")[0]: dv.formula1 for dv in ws.data_validations.dataValidation}
    assert {"B2", "D2", "E2", "H2"} <= set(lists)
    for r, row in enumerate(ROWS[:2], start=2):
        for c, v in enumerate(row, start=1):
            ws.cell(r, c, v)
    path = tmp_path / "filled.xlsx"
    wb.save(path)
    assert _load(db_path, env, path).n_calls == 2


def test_checklist_setting_is_validated():
    assert phone.validate_settings(
        {"phone": {"items": [{"name": "인사", "max": 0}, {"name": "인사", "max": 5}]}}
    ) == [
        "[phone] items '인사': 배점(max)은 0보다 큰 수여야 합니다.",
        "[phone] items: 같은 항목 이름이 두 번 있습니다(인사).",
    ]


def test_command_line_exit_codes_and_korean_lines(env, db_path, tmp_path, capsys):
    from etl.__main__ import main

    good = _xlsx(tmp_path / "good.xlsx", ROWS)
    assert main(["phone", str(good), "--db", str(db_path), "--user", "cli"]) == 0
    assert "전화친절도 모니터링 5건을 적재했습니다" in capsys.readouterr().out
    assert main(["phone", str(good), "--db", str(db_path)]) == 0
    assert "같은 파일이 이미 적재되어 있습니다" in capsys.readouterr().out
    bad = [r.copy() for r in ROWS]
    bad[0][1] = "없는팀"
    assert main(["phone", str(_xlsx(tmp_path / "bad.xlsx", bad)), "--db", str(db_path)]) == 1
    out = capsys.readouterr().out
    assert "1건의 오류가 있어 아무것도 저장하지 않았습니다" in out and "없는팀" in out
    head = [h for h in HEAD if h != "부서"]
    assert (
        main(
            [
                "phone",
                str(_xlsx(tmp_path / "x.xlsx", [r[:1] + r[2:] for r in ROWS], head)),
                "--db",
                str(db_path),
            ]
        )
        == 2
    )
    assert "'부서' 열이 없습니다" in capsys.readouterr().out
    with db.session(db_path) as con:
        assert con.execute(
            "SELECT count(*), min(loaded_by) FROM load_batches WHERE kind = 'phone'"
        ).fetchone() == (1, "cli")


def test_command_line_writes_the_template(env, tmp_path, capsys):
    from openpyxl import load_workbook

    from etl.__main__ import main

    out = tmp_path / "서식.xlsx"
    assert main(["phone", str(out), "--template"]) == 0
    assert "서식을 만들었습니다" in capsys.readouterr().out
    assert [c.value for c in load_workbook(out)[phone_template.SHEET][1]] == HEAD
