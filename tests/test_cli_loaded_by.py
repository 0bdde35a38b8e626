"""Every command-line load records who loaded it: the operating system's login name (or --user), and
'알 수 없음' when the system has none. Checked in load_batches (and survey_batches through it)."""

from __future__ import annotations

import pytest

from ccm import db
from etl import survey
from etl.__main__ import main as etl_main
from tests.support.kpi_workbooks import kpi_row, monthly, write_workbook
from tests.support.survey_files import SMALL_SPEC, frame, xlsx

VOC_CSV = "접수번호,접수일시,유형,제목\nA-1,2025-03-05 10:00,문의,주차 문의\n"


@pytest.fixture
def login_name(monkeypatch):
    """The login name getpass reads first (as a shell sets it)."""
    for var in ("LOGNAME", "USER", "LNAME", "USERNAME"):
        monkeypatch.delenv(var, raising=False)
    monkeypatch.setenv("LOGNAME", "김담당")
    return "김담당"


def _files(tmp_path) -> dict[str, list[str]]:
    (tmp_path / "voc.csv").write_text(VOC_CSV, encoding="utf-8")
    (tmp_path / "survey.xlsx").write_bytes(xlsx(frame()))
    (tmp_path / "spec.toml").write_text(survey.spec_toml(SMALL_SPEC), encoding="utf-8")
    write_workbook(
        tmp_path / "kpi.xlsx",
        [kpi_row("문화사업팀", "보도자료 배포", target=24)],
        monthly(2026, "문화사업팀", "보도자료 배포", {1: 2}),
    )
    return {
        "voc": ["voc", str(tmp_path / "voc.csv")],
        "survey": ["survey", str(tmp_path / "survey.xlsx"), "--spec", str(tmp_path / "spec.toml")],
        "kpi": ["kpi", str(tmp_path / "kpi.xlsx")],
    }


def _loaded_by(env, kind: str) -> list[str]:
    with db.session(env.db_path) as con:
        return [
            r[0] for r in con.execute("SELECT loaded_by FROM load_batches WHERE kind = ?", [kind]).fetchall()
        ]


@pytest.mark.parametrize("kind", ["voc", "survey", "kpi"])
def test_cli_load_records_the_os_user(env, tmp_path, login_name, kind):
    assert etl_main([*_files(tmp_path)[kind], "--db", str(env.db_path)]) == 0
    assert _loaded_by(env, kind) == [login_name]


def test_survey_batch_shows_the_os_user(env, tmp_path, login_name):
    assert etl_main([*_files(tmp_path)["survey"], "--db", str(env.db_path)]) == 0
    with db.session(env.db_path) as con:
        assert con.execute(
            "SELECT l.loaded_by FROM survey_batches s JOIN load_batches l USING (batch_id)"
        ).fetchall() == [(login_name,)]


@pytest.mark.parametrize("kind", ["survey", "kpi"])
def test_user_option_is_recorded_instead(env, tmp_path, login_name, kind):
    assert etl_main([*_files(tmp_path)[kind], "--db", str(env.db_path), "--user", "박대리"]) == 0
    assert _loaded_by(env, kind) == ["박대리"]


@pytest.mark.parametrize("kind", ["survey", "kpi"])
def test_no_login_name_is_recorded_as_unknown_in_korean(env, tmp_path, monkeypatch, kind):
    def no_name():
        raise OSError("no login name")

    monkeypatch.setattr("getpass.getuser", no_name)
    assert etl_main([*_files(tmp_path)[kind], "--db", str(env.db_path)]) == 0
    assert _loaded_by(env, kind) == ["알 수 없음"]
