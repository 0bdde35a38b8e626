"""Surveys as they come: 3- to 11-point scales, a reversed direction (1 = 매우 만족), answers that
contradict the declared scale, and 합계/평균 rows. Real files through the real loader into DuckDB."""

import json
from dataclasses import replace

import pandas as pd
import pytest

from ccm import db, pcsi
from etl import survey
from etl.survey import Item, SurveySpec
from tests.support.survey_files import csv, xlsx

ONE_ITEM = SurveySpec(
    survey="만족도",
    year=2025,
    scale=5,
    missing_codes=(98, 99),
    items=(Item("Q1", "전반적만족"),),
    respondent_id_column="ID",
)
LEGEND_4 = "고객만족도 조사 (1=매우 만족, 2=만족, 3=불만족, 4=매우 불만족)"


def load(env, data: bytes, name: str, spec: SurveySpec) -> survey.LoadResult:
    with db.session(env.db_path) as con:
        return survey.load(con, data, spec, env, name=name)


def scores(env) -> dict[tuple[str, str], float | None]:
    """(respondent ID as written, item) → stored score."""
    with db.session(env.db_path) as con:
        rows = con.execute("""SELECT r.respondent_id, a.item, a.score FROM survey_answers a
                              JOIN survey_respondents r USING (batch_id, resp_no)""").fetchall()
    return {(rid, item): score for rid, item, score in rows}


def one_item(answers: list, ids: list[str] | None = None) -> pd.DataFrame:
    return pd.DataFrame({"ID": ids or [f"R{n + 1}" for n in range(len(answers))], "Q1": answers})


def run_cli(env, tmp_path, data: bytes, name: str, spec: SurveySpec) -> int:
    from etl.__main__ import main

    path, spec_path = tmp_path / name, tmp_path / "spec.toml"
    path.write_bytes(data)
    spec_path.write_text(survey.spec_toml(spec), encoding="utf-8")
    return main(["survey", str(path), "--db", str(env.db_path), "--spec", str(spec_path)])


def batch_warnings(env) -> list[str]:
    with db.session(env.db_path) as con:
        return json.loads(con.execute("SELECT detail FROM load_batches").fetchone()[0])["report"]["warnings"]


# Hand calculation, 4 points with 1 = 매우 만족 (every answer flipped: x → 5 − x, then (x−1)/3×100):
#   1 → 100, 2 → 66.667, 3 → 33.333, 4 → 0. Q2 is also reverse-coded, so it is not flipped: (x−1)/3×100.
REVERSED_4 = pd.DataFrame({"ID": ["R1", "R2", "R3", "R4"], "Q1": [1, 2, 4, 3], "Q2": [4, 1, 3, 99]})
REVERSED_4_SPEC = SurveySpec(
    survey="만족도",
    year=2025,
    scale=4,
    direction="low_good",
    missing_codes=(98, 99),
    items=(Item("Q1", "전반적만족"), Item("Q2", "전반적만족", reverse=True)),
    respondent_id_column="ID",
)


def test_four_point_survey_where_1_is_very_satisfied(env):
    load(env, xlsx(REVERSED_4, title=LEGEND_4), "reversed4.xlsx", REVERSED_4_SPEC)
    got = scores(env)
    assert [got[(r, "Q1")] for r in ("R1", "R2", "R3", "R4")] == pytest.approx(
        [100, 66.6667, 0, 33.3333], abs=1e-4
    )
    assert [got[(r, "Q2")] for r in ("R1", "R2", "R3")] == pytest.approx([100, 0, 66.6667], abs=1e-4)
    assert got[("R4", "Q2")] is None
    with db.session(env.db_path) as con:
        # respondents' area means 100, 33.333, 33.333, 33.333 → 50
        assert pcsi.overall_index(con, 2025, "만족도") == pytest.approx(50.0)


def test_direction_declared_in_a_spec_file(env, tmp_path):
    spec_path = tmp_path / "spec.toml"
    spec_path.write_text(
        'survey = "만족도"\nyear = 2025\nscale = 4\ndirection = "low_good"\nrespondent_id_column = "ID"\n'
        '[[items]]\ncolumn = "Q1"\narea = "전반적만족"\n',
        encoding="utf-8",
    )
    spec = survey.load_spec(spec_path)
    load(env, csv(one_item([1, 2, 3, 4])), "q.csv", spec)
    assert [scores(env)[(f"R{n}", "Q1")] for n in (1, 2, 3, 4)] == pytest.approx(
        [100, 66.6667, 33.3333, 0], abs=1e-4
    )


def test_unknown_direction_is_refused(env):
    with pytest.raises(survey.SurveyError, match="척도 방향"):
        load(env, csv(one_item([1, 2])), "q.csv", replace(ONE_ITEM, direction="1=만족"))


@pytest.mark.parametrize(
    "scale,answers,expected",
    [
        (3, [1, 2, 3], [0, 50, 100]),
        (4, [1, 2, 3, 4], [0, 33.3333, 66.6667, 100]),
        (5, [1, 2, 5], [0, 25, 100]),
        (7, [1, 3, 7], [0, 33.3333, 100]),
        (10, [1, 4, 10], [0, 33.3333, 100]),  # 1–10: (x−1)/9×100
        (11, [0, 4, 10], [0, 40, 100]),  # 0–10: x×10
    ],
)
def test_each_scale_converts_to_100_points(env, scale, answers, expected):
    load(env, csv(one_item(answers)), f"s{scale}.csv", replace(ONE_ITEM, scale=scale))
    got = scores(env)
    assert [got[(f"R{n + 1}", "Q1")] for n in range(len(answers))] == pytest.approx(expected, abs=1e-4)


def test_ten_and_eleven_points_differ_in_their_lowest_answer(env):
    with pytest.raises(
        survey.SurveyError, match=r"10점 척도\(1–10.*2행 '0'\). 값으로 보면 11점\(0–10\) 척도입니다"
    ):
        load(env, csv(one_item([0, 1, 10])), "s10.csv", replace(ONE_ITEM, scale=10))
    load(env, csv(one_item([0, 1, 10])), "s11.csv", replace(ONE_ITEM, scale=11))
    assert [scores(env)[(f"R{n}", "Q1")] for n in (1, 2, 3)] == [0, 10, 100]


def test_value_above_the_declared_maximum_is_reported_not_scored(env):
    answers = [1, 2, 3, 4, 5] * 6
    answers[7] = 6  # file row 9 (header is row 1)
    load(env, xlsx(one_item(answers)), "above.xlsx", ONE_ITEM)
    assert scores(env)[("R8", "Q1")] is None
    with db.session(env.db_path) as con:
        assert con.execute("SELECT status FROM survey_answers WHERE resp_no = 9").fetchone()[0] == "invalid"
    notes = [w for w in batch_warnings(env) if "척도" in w]
    assert len(notes) == 1
    assert notes[0].startswith("above.xlsx: 선언한 척도(5점, 1–5) 밖의 값 1개는 점수에서 제외했습니다")
    assert "9행 Q1열 '6'" in notes[0]


def test_five_points_declared_but_nobody_answered_above_4(env, tmp_path, capsys):
    answers = [1, 2, 3, 4, 4] * 5 + [98, 99]  # 25 valid answers; missing codes are not counted as values
    assert run_cli(env, tmp_path, xlsx(one_item(answers)), "four.xlsx", ONE_ITEM) == 1
    out = capsys.readouterr().out
    expected = "four.xlsx: 선언한 척도(5점)와 실제 값(최대 4)이 맞지 않습니다: 유효 응답 25개 중 5이(가) 하나도 없습니다."
    assert expected in out and "4점 척도라면 명세의 척도(scale)를 4(으)로 고쳐" in out
    assert any(w.startswith(expected) for w in batch_warnings(env))
    assert scores(env)[("R4", "Q1")] == pytest.approx(75.0)  # still scored as declared: (4−1)/4×100


def test_few_answers_are_not_enough_to_doubt_the_scale(env):
    res = load(env, csv(one_item([1, 2, 3, 4] * 4)), "few.csv", ONE_ITEM)
    assert not res.report["warnings"] and not res.report["scale_mismatch"]


def test_totals_and_means_rows_are_skipped_and_reported(env):
    df = pd.DataFrame(
        {
            "ID": ["R1", "R2", "소 계", "R3", "R4", "R5", "합계", None],
            "이용시설": ["철로자전거"] * 7 + ["[ 평 균 ]"],
            "Q1": [5, 4, 9, 3, 5, 1, 18, 3.6],
            "기타의견": ["", "평균", "", "", "", "", "", ""],  # a respondent's own word stays an answer
        }
    )
    spec = replace(ONE_ITEM, facility_column="이용시설", comment_columns=("기타의견",))
    res = load(env, csv(df), "totals.csv", spec)
    # the reader skips them before the survey loader sees the rows, and says where
    assert "totals.csv: 합계·소계·평균 행 3개(4, 8, 9행)를 건너뛰었습니다." in res.report["warnings"]
    assert res.report["respondents"] == 5 and not res.report["invalid"]
    with db.session(env.db_path) as con:
        assert sorted(
            r[0] for r in con.execute("SELECT respondent_id FROM survey_respondents").fetchall()
        ) == ["R1", "R2", "R3", "R4", "R5"]
        # rows read are data rows (as for VOC files): the skipped rows are reported, not counted
        assert con.execute("SELECT rows_read, rows_inserted FROM load_batches").fetchone() == (5, 5)
        assert pcsi.overall_index(con, 2025, "만족도") == pytest.approx((100 + 75 + 50 + 100 + 0) / 5)


def test_english_total_rows_are_skipped(env):
    df = one_item([5, 4, 22.5, 4.5], ids=["R1", "R2", "Grand Total", "(Average)"])
    res = load(env, xlsx(df), "en.xlsx", ONE_ITEM)
    assert res.report["respondents"] == 2
    assert "en.xlsx: 합계·소계·평균 행 2개(4, 5행)를 건너뛰었습니다." in res.report["warnings"]


@pytest.mark.parametrize(
    "values,scale",
    [
        ([1, 2, 3], 3),
        ([1, 2, 3, 4], 4),
        ([1, 2, 3, 4, 5], 5),
        ([1, 2, 3, 4, 5, 6, 7], 7),
        (list(range(1, 11)), 10),
        (list(range(0, 11)), 11),
    ],
)
def test_proposed_spec_infers_the_scale_from_the_answers(env, values, scale):
    answers = values * 3
    df = pd.DataFrame({"ID": [f"R{n}" for n in range(len(answers))], "문1": answers, "문2": answers[::-1]})
    spec = survey.propose_spec(survey.read(xlsx(df), "p.xlsx", None, env), env)
    assert spec.item_columns == ["문1", "문2"] and spec.scale == scale


def test_proposed_spec_takes_a_lone_9_for_a_no_answer_code(env):
    answers = [1, 2, 3, 4] * 6 + [9] * 3
    spec = survey.propose_spec(survey.read(xlsx(one_item(answers)), "p.xlsx", None, env), env)
    assert spec.scale == 4 and 9 in spec.missing_codes
    load(env, xlsx(one_item(answers)), "p.xlsx", replace(spec, year=2025, items=(Item("Q1", "전반적만족"),)))
    with db.session(env.db_path) as con:
        assert con.execute("SELECT count(*) FROM survey_answers WHERE status = 'missing'").fetchone()[0] == 3


def test_proposed_spec_ignores_a_means_row(env):
    df = one_item([1, 2, 3, 4, 2, 1, 2.17], ids=["R1", "R2", "R3", "R4", "R5", "R6", "평균"])
    spec = survey.propose_spec(survey.read(xlsx(df), "p.xlsx", None, env), env)
    assert spec.item_columns == ["Q1"] and spec.scale == 4


def test_proposed_spec_reads_the_direction_from_the_legend(env):
    spec = survey.propose_spec(survey.read(xlsx(REVERSED_4, title=LEGEND_4), "r.xlsx", None, env), env)
    assert (spec.scale, spec.direction) == (4, "low_good")
    plain = survey.propose_spec(
        survey.read(xlsx(REVERSED_4, title="1점 매우 불만족 ~ 4점 매우 만족"), "r.xlsx", None, env), env
    )
    assert plain.direction == "high_good"


def test_legend_contradicting_the_declared_direction_is_reported(env):
    res = load(
        env, xlsx(REVERSED_4, title=LEGEND_4), "r.xlsx", replace(REVERSED_4_SPEC, direction="high_good")
    )
    assert any(
        w.startswith("r.xlsx: 파일에 '1=매우 만족'(이)라고 적혀 있는데 명세의 척도 방향은 '큰 값이 만족")
        for w in res.report["warnings"]
    )


def test_html_table_saved_as_xls_is_read_like_any_survey_file():
    from etl import survey

    html = (
        "<html><head><meta charset='euc-kr'></head><body><table>"
        "<tr><td>ID</td><td>A1</td><td>A2</td></tr><tr><td>1</td><td>5</td><td>4</td></tr>"
        "<tr><td>2</td><td>3</td><td>2</td></tr></table></body></html>"
    ).encode("cp949")
    table = survey.read(html, "설문.xls")
    assert list(table.df.columns) == ["ID", "A1", "A2"] and table.df["A1"].tolist() == ["5", "3"]
