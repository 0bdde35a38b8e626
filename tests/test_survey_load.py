"""Survey loader: formats, bad files (clear messages, nothing stored), reload, replace, rollback, privacy."""

from dataclasses import replace

import pandas as pd
import pytest

from ccm import db, pcsi
from etl import survey
from tests.support.survey_files import SMALL_SPEC, csv, frame, pcsi_ministry_frame, xls, xlsx

SURVEY_TABLES = ["survey_batches", *pcsi.SURVEY_TABLES, "load_batches"]


def counts(con) -> dict:
    return {t: con.execute(f"SELECT count(*) FROM {t}").fetchone()[0] for t in SURVEY_TABLES}


def load(env, data: bytes, name: str, spec=SMALL_SPEC):
    with db.session(env.db_path) as con:
        return survey.load(con, data, spec, env, name=name)


def index(env, year=2025):
    with db.session(env.db_path) as con:
        return pcsi.overall_index(con, year)


def assert_rejected(env, data: bytes, name: str, *fragments: str, spec=SMALL_SPEC) -> str:
    with pytest.raises(survey.SurveyError) as err:
        load(env, data, name, spec)
    for f in fragments:
        assert f in str(err.value)
    with db.session(env.db_path) as con:
        assert set(counts(con).values()) == {0}
    return str(err.value)


@pytest.mark.parametrize(
    "writer,name",
    [
        (xlsx, "s.xlsx"),
        (xls, "s.xls"),
        (lambda df: csv(df, "cp949"), "s.csv"),
        (lambda df: csv(df, "utf-8-sig"), "s.csv"),
    ],
)
def test_every_format_gives_the_same_index(env, writer, name):
    load(env, writer(frame()), name)
    assert index(env) == pytest.approx(81.5)


def test_title_rows_above_the_header(env):
    load(env, xlsx(frame(), title="2025년 고객만족도 원자료"), "t.xlsx")
    assert index(env) == pytest.approx(81.5)


def test_wrong_scale_values_are_refused(env):
    five_point = replace(SMALL_SPEC, scale=5)
    msg = assert_rejected(
        env, xlsx(frame()), "w.xlsx", "w.xlsx", "5점 척도", "A1", "2행 '7'", spec=five_point
    )
    assert "척도나 열 지정" in msg


def test_spec_column_missing_from_file_is_refused(env):
    assert_rejected(
        env, xlsx(frame().drop(columns=["C1"])), "u.xlsx", "'C1'", "파일에 없습니다", "1행 머리글"
    )


def test_item_column_unknown_to_the_spec_is_refused(env):
    assert_rejected(env, xlsx(frame(F1=[1, 2, 3, 4])), "f.xlsx", "명세에 없는 문항 열 F1", "ignore_columns")
    load(env, xlsx(frame(F1=[1, 2, 3, 4])), "f.xlsx", replace(SMALL_SPEC, ignore_columns=("F1",)))
    assert index(env) == pytest.approx(81.5)


def test_empty_sheet_is_refused(env):
    assert_rejected(env, xlsx(frame().iloc[0:0]), "e.xlsx", "e.xlsx", "응답 행이 없습니다")
    assert_rejected(env, xlsx(pd.DataFrame()), "blank.xlsx", "blank.xlsx")


def test_html_saved_as_xls_loads_like_the_workbook(env):
    html = frame().to_html(index=False).encode("utf-8")
    first = load(env, html, "export.xls")
    assert first.status == "loaded" and first.report["respondents"] == len(frame())


def test_html_page_without_a_table_is_refused(env):
    assert_rejected(
        env, b"<html><body><p>no table</p></body></html>", "export.xls", "export.xls", "HTML", ".xlsx"
    )


def test_bad_weight_is_refused(env):
    assert_rejected(env, xlsx(frame(가중치=[1, 0, "", 1])), "g.xlsx", "가중치", "3행 '0'", "4행 '(빈 칸)'")


def test_year_comes_from_the_date_column(env):
    res = load(env, xlsx(frame()), "y.xlsx", replace(SMALL_SPEC, year=0))
    assert res.year == 2025


def test_same_file_twice_changes_nothing(env):
    first = load(env, xlsx(frame()), "s.xlsx")
    with db.session(env.db_path) as con:
        before = counts(con)
    again = load(env, xlsx(frame()), "s.xlsx")
    with db.session(env.db_path) as con:
        assert counts(con) == before
    assert again.status == "unchanged" and again.batch_id == first.batch_id


def test_corrected_file_replaces_and_rollback_restores(env):
    first = load(env, xlsx(frame()), "s.xlsx")
    with db.session(env.db_path) as con:
        snapshot = {t: con.execute(f"SELECT * FROM {t} ORDER BY ALL").fetchall() for t in pcsi.SURVEY_TABLES}
    fixed = load(env, xlsx(frame(E1=[7, 7, 7, 7])), "s_수정.xlsx")
    assert fixed.status == "replaced" and fixed.replaced_batch == first.batch_id
    with db.session(env.db_path) as con:
        assert pcsi.overall_index(con, 2025) == pytest.approx(81.5 + 0.3 * (100 - 86.6667), abs=1e-3)
        assert pcsi.batches(con)["active"].tolist() == [False, True]
        done = pcsi.rollback(con, fixed.batch_id)
        assert done["restored_batches"] == [first.batch_id]
        assert {
            t: con.execute(f"SELECT * FROM {t} ORDER BY ALL").fetchall() for t in pcsi.SURVEY_TABLES
        } == snapshot
        assert pcsi.overall_index(con, 2025) == pytest.approx(81.5)
        status = con.execute(
            "SELECT status FROM load_batches WHERE batch_id = ?", [fixed.batch_id]
        ).fetchone()[0]
    assert status == "rolled_back"


def test_replaced_batch_cannot_be_rolled_back_first(env):
    first = load(env, xlsx(frame()), "s.xlsx")
    fixed = load(env, xlsx(frame(E1=[7, 7, 7, 7])), "s2.xlsx")
    with db.session(env.db_path) as con:
        with pytest.raises(ValueError, match=f"뒤의 배치\\({fixed.batch_id}\\)"):
            pcsi.rollback(con, first.batch_id)
        assert pcsi.batches(con)["active"].tolist() == [False, True]


def test_other_wave_is_kept_alongside(env):
    load(env, xlsx(frame()), "a.xlsx", replace(SMALL_SPEC, wave="상반기"))
    load(env, xlsx(frame()), "b.xlsx", replace(SMALL_SPEC, wave="하반기"))
    with db.session(env.db_path) as con:
        assert pcsi.batches(con)["active"].all()
        assert len(pcsi.respondents(con, 2025)) == 8


def test_names_and_contacts_never_reach_the_store(env):
    load(env, xlsx(frame()), "p.xlsx")
    planted = ["홍길동", "김철수", "010-1111-2222", "01011112222", "1234-5678", "01012345678"]
    with db.session(env.db_path) as con:
        tables = [r[0] for r in con.execute("SELECT table_name FROM duckdb_tables()").fetchall()]
        for t in tables:
            dump = " ".join(str(v) for row in con.execute(f"SELECT * FROM {t}").fetchall() for v in row)
            for p in planted:
                assert p not in dump.replace("-", "") if p.isdigit() else p not in dump, (t, p)
        texts = [r[0] for r in con.execute("SELECT text FROM survey_comments").fetchall()]
    assert "결과는 [전화번호] 로 연락 주세요" in texts


def test_identity_column_cannot_be_mapped_as_demographic(env):
    spec = replace(SMALL_SPEC, demographic_columns=("성별", "성명"))
    assert_rejected(env, xlsx(frame()), "i.xlsx", "개인정보 열 성명", spec=spec)


def test_propose_spec_for_ministry_layout(env):
    df = pcsi_ministry_frame()
    df.insert(3, "가중치", 1.0)
    table = survey.read(xlsx(df), "m.xlsx", None, env)
    spec = survey.propose_spec(table, env)
    assert spec.item_columns == [f"{a}{k}" for a in "ABCDE" for k in (1, 2, 3)]
    assert spec.areas == ["서비스환경", "서비스과정", "서비스결과", "사회적만족", "전반적만족"]
    assert (spec.scale, spec.facility_column, spec.weight_column) == (7, "이용시설", "가중치")
    assert spec.demographic_columns == ("성별",) and spec.comment_columns == ("기타의견",)


def test_propose_spec_for_an_unknown_layout(env):
    df = pd.DataFrame(
        {
            "번호": [1, 2, 3],
            "사업장": ["철로자전거"] * 3,
            "문1": [5, 4, 3],
            "문2": [2, 1, 99],
            "성명": ["가", "나", "다"],
            "연락처": ["010-1", "010-2", "010-3"],
        }
    )
    spec = survey.propose_spec(survey.read(xlsx(df), "q.xlsx", None, env), env)
    assert spec.item_columns == ["문1", "문2"] and all(i.area == "" for i in spec.items)
    assert spec.scale == 5 and spec.facility_column == "사업장"
    with pytest.raises(survey.SurveyError, match="영역이 지정되지 않았습니다"):
        load(env, xlsx(df), "q.xlsx", spec)


def test_spec_file_round_trip(tmp_path):
    path = tmp_path / "spec.toml"
    path.write_text(survey.spec_toml(SMALL_SPEC), encoding="utf-8")
    assert survey.load_spec(path) == SMALL_SPEC
    assert [i.column for i in survey.load_spec().items][-1] == "E3"


def test_cli_exit_codes(env, tmp_path, capsys):
    from etl.__main__ import main

    good, bad = tmp_path / "good.xlsx", tmp_path / "bad.xlsx"
    good.write_bytes(xlsx(frame()))
    bad.write_bytes(xlsx(frame().drop(columns=["A1"])))
    spec = tmp_path / "spec.toml"
    spec.write_text(survey.spec_toml(SMALL_SPEC), encoding="utf-8")
    assert main(["survey", str(good), "--db", str(env.db_path), "--spec", str(spec)]) == 0
    assert "응답자 4명" in capsys.readouterr().out
    assert main(["survey", str(bad), "--db", str(env.db_path), "--spec", str(spec)]) == 2
    assert "적재하지 않았습니다" in capsys.readouterr().out
    assert main(["survey", str(good), "--db", str(env.db_path), "--spec", str(spec)]) == 0
    assert "바뀐 것이 없습니다" in capsys.readouterr().out


def test_cli_exit_code_1_when_answers_were_out_of_scale(env, tmp_path, capsys):
    from etl.__main__ import main

    df = pcsi_ministry_frame()
    df.loc[3, "B2"] = 9
    path = tmp_path / "pcsi_2025.xlsx"
    path.write_bytes(xlsx(df))
    assert main(["survey", str(path), "--db", str(env.db_path)]) == 1
    out = capsys.readouterr().out
    assert "척도 밖 1개" in out and "pcsi_2025.xlsx" in out and "5행 B2열 '9'" in out


def test_damaged_xls_is_refused(env):
    assert_rejected(env, xls(frame())[:1500], "broken.xls", "broken.xls", "Excel 파일을 열 수 없습니다")
