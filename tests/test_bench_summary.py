"""`python -m bench` ends with one summary table built from the lines each benchmark records."""

import json

from bench.__main__ import table
from bench.common import MARKER, record


def _recorded(capsys, *args, **kwargs) -> dict:
    record(*args, **kwargs)
    line = capsys.readouterr().out
    assert line.startswith(MARKER) and line.endswith("\n")
    return json.loads(line[len(MARKER) :])


def test_a_recorded_figure_comes_back_as_one_row_of_the_table(capsys):
    load = _recorded(
        capsys,
        "voc_load: load CP949 export (1,000,000 rows)",
        8.42,
        2.52,
        3.34,
        "≤ 3×",
        False,
        baseline_name="pandas.read_csv",
    )
    text = _recorded(
        capsys,
        "text: enrichment, ~50-character texts",
        1422,
        1851,
        0.92,
        "≥ 0.8",
        True,
        unit="texts/s",
        baseline_name="Kiwi alone",
    )
    assert table([load, text], markdown=True).splitlines() == [
        "| benchmark | measured | baseline | ratio | target | result |",
        "|---|---|---|---|---|---|",
        "| voc_load: load CP949 export (1,000,000 rows) | 8.42 s | 2.52 s (pandas.read_csv) | 3.34× | ≤ 3× | FAIL |",
        "| text: enrichment, ~50-character texts | 1,422 texts/s | 1,851 texts/s (Kiwi alone) | 0.92× | ≥ 0.8 | pass |",
    ]


def test_small_times_are_shown_in_milliseconds_and_a_figure_without_target_has_no_verdict(capsys):
    row = _recorded(capsys, "sla: open items' status (1,000,000 items)", 0.0105, 0.0596, 0.17, "-", None)
    assert table([row], markdown=True).splitlines()[2] == (
        "| sla: open items' status (1,000,000 items) | 10.5 ms | 59.6 ms | 0.17× | - | - |"
    )


def test_the_terminal_table_lines_up_hangul_names():
    rows = [
        {
            "name": name,
            "measured": 0.05,
            "baseline": 0.02,
            "unit": "s",
            "baseline_name": "",
            "ratio": 25.0,
            "target": "≤ 1 s",
            "passed": True,
        }
        for name in ("pages: 처리기한 준수", "report: meeting")
    ]
    lines = table(rows).splitlines()
    # both data rows put "50.0 ms" at the same terminal column (Hangul takes two columns)
    cols = [
        len(line[: line.index("50.0 ms")])
        + sum(1 for c in line[: line.index("50.0 ms")] if "가" <= c <= "힣")
        for line in lines[2:]
    ]
    assert cols[0] == cols[1]
