"""개선과제 Excel template and import (etl.actions): dropdowns, refusals in Korean with file/row/column/value,
all or nothing, a second load of the same rows changes them instead of adding."""

from __future__ import annotations

import io
from dataclasses import dataclass
from datetime import datetime

import openpyxl

from ccm import db
from etl import actions
from tests.support.constants import NOW_AT as NOW

HEAD = [
    "과제명",
    "발생원인",
    "개선방향",
    "개선시행 부서",
    "세부 일정",
    "완료 예정일",
    "진행 상태",
    "대상 주제",
    "대상 시설",
    "관련 VOC 접수번호",
    "고객 피드백 여부",
    "완료일",
]


@dataclass(frozen=True)
class U:
    username: str
    role: str
    department: str | None = None


def _workbook(rows: list[list], sheet: str = "개선과제") -> bytes:
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = sheet
    ws.append(HEAD)
    for r in rows:
        ws.append(r)
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


GOOD = [
    "주차 안내 개선",
    "안내 부족",
    "표지판",
    "관광사업팀",
    "12월 설치",
    datetime(2026, 12, 31),
    "계획",
    "주차",
    "철로자전거",
    None,
    "아니오",
    None,
]


def test_template_has_the_manuals_columns_and_dropdowns(env):
    wb = openpyxl.load_workbook(io.BytesIO(actions.build_template(env, ["주차", "요금"])))
    ws = wb["개선과제"]
    assert [c.value for c in ws[1]] == HEAD
    lists = {
        str(dv.sqref).split(":")[0]: dv.formula1
        for dv in ws.data_validations.dataValidation
        if dv.type == "list"
    }
    assert set(lists) == {"D2", "G2", "H2", "I2", "K2"}  # 부서, 진행 상태, 주제, 시설, 고객 피드백
    listing = wb["목록"]
    assert [c.value for c in listing["B"] if c.value][1:] == ["발굴", "계획", "시행", "완료", "효과 확인"]
    assert listing.sheet_state == "hidden"


def test_import_creates_actions_and_audits_them(env, tmp_path):
    path = tmp_path / "과제.xlsx"
    path.write_bytes(_workbook([GOOD]))
    res = actions.load(path, env.db_path, env, now=NOW)
    assert res.ok and (res.created, res.updated) == (1, 0), res.rejects
    with db.session(env.db_path) as con:
        assert con.execute(
            "SELECT title, department, status, origin, batch_id FROM improvement_actions"
        ).fetchall() == [("주차 안내 개선", "관광사업팀", "계획", "엑셀", res.batch_id)]
        assert con.execute("SELECT kind FROM load_batches").fetchall() == [("actions",)]
        assert con.execute("SELECT action FROM audit_log").fetchall() == [("action_create",)]


def test_the_same_rows_again_update_instead_of_adding(env, tmp_path):
    actions.load(_workbook([GOOD]), env.db_path, env, file_name="a.xlsx", now=NOW)
    later = GOOD[:6] + ["시행"] + GOOD[7:10] + ["예", None]
    res = actions.load(_workbook([later]), env.db_path, env, file_name="b.xlsx", now=NOW)
    assert (res.created, res.updated) == (0, 1)
    with db.session(env.db_path) as con:
        assert con.execute("SELECT status, customer_told FROM improvement_actions").fetchall() == [
            ("시행", True)
        ]


def test_refusals_name_file_row_column_value_in_korean_and_nothing_is_stored(env):
    rows = [
        GOOD,
        ["", None, None, "관광사업팀", None, None, "발굴", None, None, None, None, None],  # row 3
        ["요금", None, None, "없는팀", None, None, "발굴", None, None, None, None, None],  # row 4
        [
            "날짜",
            None,
            None,
            "관광사업팀",
            None,
            "내일",
            "끝남",
            "없는주제",
            "달나라",
            "ZZ-1",
            "글쎄",
            None,
        ],  # row 5
        ["계획만", None, None, "관광사업팀", None, None, "계획", None, None, None, None, None],  # row 6
    ]
    res = actions.load(_workbook(rows), env.db_path, env, file_name="과제.xlsx", now=NOW)
    assert not res.ok
    got = {(r["행"], r["열"]): (r["파일"], r["값"], r["사유"]) for r in res.rejects.to_dict("records")}
    assert got[(3, "과제명")][2] == "과제명을(를) 적어야 합니다."
    assert got[(4, "개선시행 부서")][:2] == ("과제.xlsx", "없는팀")
    assert got[(5, "완료 예정일")][1:] == ("내일", "날짜로 읽을 수 없습니다(예: 2026-12-31).")
    assert got[(5, "진행 상태")][1] == "끝남"
    assert got[(5, "대상 주제")][1] == "없는주제"
    assert got[(5, "대상 시설")][1] == "달나라"
    assert got[(5, "관련 VOC 접수번호")][1:] == ("ZZ-1", "적재된 VOC에 없는 접수번호입니다.")
    assert got[(5, "고객 피드백 여부")][1] == "글쎄"
    assert "완료 예정일" in got[(6, "완료 예정일")][2]
    with db.session(env.db_path) as con:
        assert con.execute("SELECT count(*) FROM improvement_actions").fetchone()[0] == 0
        assert con.execute("SELECT count(*) FROM load_batches").fetchone()[0] == 0


def test_a_department_account_loads_only_its_own_rows(env):
    other = ["미로공원 안내", None, None, "문화사업팀", None, None, "발굴", None, None, None, None, None]
    res = actions.load(_workbook([GOOD, other]), env.db_path, env, U("tour", "부서", "관광사업팀"), now=NOW)
    assert not res.ok
    assert res.rejects[["행", "열", "값"]].values.tolist() == [[3, "개선시행 부서", "문화사업팀"]]


def test_a_backward_status_is_refused_for_a_department(env):
    actions.load(_workbook([GOOD[:6] + ["시행"] + GOOD[7:]]), env.db_path, env, now=NOW)
    res = actions.load(_workbook([GOOD]), env.db_path, env, U("tour", "부서", "관광사업팀"), now=NOW)
    assert not res.ok
    r = res.rejects.iloc[0]
    assert (r["행"], r["열"], r["값"]) == (2, "진행 상태", "계획") and "앞으로만" in r["사유"]


def test_a_file_without_the_title_column_is_one_message(env):
    wb = openpyxl.Workbook()
    wb.active.append(["부서", "내용"])
    wb.active.append(["관광사업팀", "x"])
    buf = io.BytesIO()
    wb.save(buf)
    try:
        actions.load(buf.getvalue(), env.db_path, env, file_name="틀림.xlsx", now=NOW)
    except actions.ReadError as exc:
        assert "틀림.xlsx" in str(exc)
    else:
        raise AssertionError("a file without 과제명 must be refused")


def test_command_line_template_and_load(env, tmp_path, capsys):
    from etl.__main__ import main

    template = tmp_path / "서식.xlsx"
    assert main(["actions", "--template", str(template)]) == 0
    assert openpyxl.load_workbook(template)["개선과제"]["A1"].value == "과제명"
    good, bad = tmp_path / "good.xlsx", tmp_path / "bad.xlsx"
    good.write_bytes(_workbook([GOOD]))
    bad.write_bytes(_workbook([["", None, None, "관광사업팀"] + [None] * 8]))
    assert main(["actions", str(good), "--user", "홍길동"]) == 0
    assert main(["actions", str(bad)]) == 1
    assert "과제명을(를) 적어야 합니다." in capsys.readouterr().out
    with db.session(env.db_path) as con:
        assert con.execute("SELECT username FROM audit_log WHERE action = 'action_create'").fetchall() == [
            ("홍길동",)
        ]


def test_an_import_is_rolled_back_from_the_load_history(env):
    from ccm import batches

    actions.load(_workbook([GOOD]), env.db_path, env, file_name="a.xlsx", now=NOW)
    again = actions.load(
        _workbook([GOOD[:6] + ["시행"] + GOOD[7:]]), env.db_path, env, file_name="b.xlsx", now=NOW
    )
    with db.session(env.db_path) as con:
        try:
            batches.rollback_batch(con, again.batch_id, "admin")
        except batches.BatchError as exc:
            assert "이미 있던 개선과제를 고쳤습니다" in str(exc)
        else:
            raise AssertionError("an import that changed existing actions cannot be undone exactly")
    fresh = actions.load(
        _workbook([["새 과제", None, None, "관광사업팀"] + [None] * 8]),
        env.db_path,
        env,
        file_name="c.xlsx",
        now=NOW,
    )
    with db.session(env.db_path) as con:
        assert batches.rollback_batch(con, fresh.batch_id, "admin") == {"removed": 1}
        assert con.execute("SELECT title FROM improvement_actions").fetchall() == [("주차 안내 개선",)]
        assert con.execute(
            "SELECT status FROM load_batches WHERE batch_id = ?", [fresh.batch_id]
        ).fetchone() == ("rolled_back",)
