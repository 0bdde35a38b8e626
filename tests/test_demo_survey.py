"""The demo surveys: three PCSI years ending in the pinned year, plausible facility scores, no contacts."""

from ccm import db, pcsi


def test_demo_has_three_pcsi_years_and_a_training_survey(demo_env):
    with db.session(demo_env.db_path) as con:
        assert pcsi.years(con) == [2024, 2025, 2026]
        assert pcsi.surveys(con) == ["PCSI", "교육만족도"]
        for year in (2024, 2025, 2026):
            assert 86 < pcsi.overall_index(con, year) < 94
        fac = pcsi.facility_scores(con, 2026)
        assert fac["score"].between(86, 95).all() and fac["score"].std() > 0.5
        assert set(fac["department"]) <= set(demo_env.departments)
        assert pcsi.overall_index(con, 2026, "교육만족도") is not None


def test_demo_reports_the_planted_out_of_scale_answer(demo_env):
    with db.session(demo_env.db_path) as con:
        problems = pcsi.answer_problems(con, 2026).set_index("item")
        assert problems.loc["B2", "invalid"] == 1 and problems["missing"].sum() > 0


def test_demo_contact_columns_are_not_stored(demo_env):
    with db.session(demo_env.db_path) as con:
        hits = con.execute(
            """SELECT count(*) FROM survey_comments WHERE regexp_matches(text, '010-\\d{4}')"""
        ).fetchone()[0]
        masked = con.execute(
            "SELECT count(*) FROM survey_comments WHERE contains(text, '[전화번호]')"
        ).fetchone()[0]
        columns = {
            r[0]
            for r in con.execute(
                "SELECT column_name FROM duckdb_columns() WHERE table_name LIKE 'survey%'"
            ).fetchall()
        }
        attrs = {r[0] for r in con.execute("SELECT DISTINCT attribute FROM survey_demographics").fetchall()}
    assert hits == 0 and masked > 0
    assert not {"성명", "연락처"} & (columns | attrs)
