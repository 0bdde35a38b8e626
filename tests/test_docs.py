"""The documentation runs: every command in README.md and docs/*.md exists (its module, subcommand, options,
make target or file) and every relative link points to an existing file and heading."""

from __future__ import annotations

import contextlib
import io
import re
import shlex
import subprocess
import sys
import unicodedata
from functools import cache
from pathlib import Path

import pytest

from etl import __main__ as etl_main

ROOT = Path(__file__).resolve().parents[1]
PAGES = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]
LINKED_PAGES = [*PAGES, ROOT / "ARCHITECTURE.md"]
FENCE = re.compile(r"^([ \t]*)```(\w*)[^\n]*\n(.*?)^[ \t]*```", re.S | re.M)
SHELLS = {"sh", "console", "powershell"}
CODE_SPAN = re.compile(r"(`+)(.+?)\1", re.S)
INLINE = re.compile(r"(?:\.venv/bin/)?python3? -m \S.*|make [a-z]+")
LINK = re.compile(r"!?\[[^\]]*\]\(([^)\s]+)\)")
INTERPRETERS = {"python", "python3", "py", ".venv/bin/python", ".venv/Scripts/python"}
SHELL_BUILTINS = {"printf", "echo", "cd"}
VALUE_OPTIONS = {"-m", "-k", "-o", "-p"}  # pytest options whose next token is a value


# ---- reading the pages ------------------------------------------------------------------------------------
def _shell_lines(block: str, language: str) -> list[str]:
    lines = []
    for line in block.splitlines():
        line = line.strip()
        if language == "console":
            if not line.startswith("$ "):
                continue
            line = line[2:]
        line = re.sub(r"(^|\s)#.*$", "", line).strip()
        if line:
            lines.append(line.replace("\\", "/") if language == "powershell" else line)
    return lines


def commands(page: Path) -> list[str]:
    """Every shell command line of a page: fenced sh/console/powershell blocks and inline `python -m …`."""
    text = page.read_text(encoding="utf-8")
    found = [line for m in FENCE.finditer(text) if m[2] in SHELLS for line in _shell_lines(m[3], m[2])]
    prose = FENCE.sub("", text)
    spans = (m[2].strip() for m in CODE_SPAN.finditer(prose))
    found += [re.sub(r"…|\.\.\.", "", span).strip() for span in spans if INLINE.fullmatch(span)]
    return found


def _segments(line: str) -> list[list[str]]:
    return [shlex.split(part) for part in re.split(r"&&|;|\|", line) if part.strip()]


# ---- checking one command ---------------------------------------------------------------------------------
def problems(line: str) -> list[str]:
    """What in one documented command line does not exist (empty: it does)."""
    out = []
    for words in _segments(line):
        while words and re.fullmatch(r"[A-Z_]+=\S*", words[0]):
            words = words[1:]
        if words:
            out += _problems(words)
    return out


def _problems(words: list[str]) -> list[str]:
    head, rest = words[0], words[1:]
    if head == "make":
        return [f"make 대상 없음: {t}" for t in rest if t not in makefile_targets()]
    if head in SHELL_BUILTINS:
        return []
    if head not in INTERPRETERS:
        return [f"시험할 수 없는 명령: {head}"]
    if head == "py" and rest and re.fullmatch(r"-\d[\d.]*", rest[0]):
        rest = rest[1:]
    if rest[:1] == ["-m"] and len(rest) > 1:
        return _module_problems(rest[1], rest[2:])
    return [] if rest and (ROOT / rest[0]).is_file() else [f"파일 없음: {rest[:1]}"]


def _module_problems(module: str, args: list[str]) -> list[str]:
    if module == "etl":
        return _etl_problems(args)
    if module == "bench":
        return _bench_problems(args)
    if module == "pytest":
        return _pytest_problems(args)
    if module == "streamlit":
        ok = args[:1] == ["run"] and len(args) > 1 and (ROOT / args[1]).is_file()
        return [] if ok else [f"streamlit 실행 파일 없음: {args}"]
    if module == "pip":
        files = [args[i + 1] for i, a in enumerate(args[:-1]) if a == "-r"]
        return [f"파일 없음: {f}" for f in files if not (ROOT / f).is_file()]
    if module == "venv":
        return []
    if module == "ruff":
        ok = args[:1] in (["format"], ["check"]) and (ROOT / "ruff.toml").is_file()
        return [] if ok else [f"ruff 명령 아님: {args}"]
    return _script_module_problems(module, args)


def _script_module_problems(module: str, args: list[str]) -> list[str]:
    path = ROOT / (module.replace(".", "/") + ".py")
    package_main = ROOT / module.replace(".", "/") / "__main__.py"
    source = path if path.is_file() else package_main
    if not source.is_file():
        return [f"모듈 없음: {module}"]
    text = source.read_text(encoding="utf-8")
    if source == path and '__name__ == "__main__"' not in text:
        return [f"실행할 수 없는 모듈: {module}"]
    return [f"{module}에 없는 옵션: {o}" for o in _options(args) if f'"{o}"' not in text]


def _options(args: list[str]) -> list[str]:
    return [a.split("=")[0] for a in args if a.startswith("--")]


def _etl_problems(args: list[str]) -> list[str]:
    command_path = _etl_command_path(args)
    rc, text = etl_help(command_path)
    if rc != 0:
        return [f"python -m etl {' '.join(command_path)} --help 실패 ({rc})"]
    name = f"python -m etl {' '.join(command_path)}"
    out = [f"{name}에 없는 옵션: {o}" for o in _options(args) if not re.search(rf"{re.escape(o)}\b", text)]
    choices = {o: c.split(",") for o, c in re.findall(r"(--[\w-]+) \{([^}]*)\}", text)}
    wrong = [(o, v) for o, v in zip(args, args[1:]) if o in choices and v not in choices[o]]
    return out + [f"{name} {o}에 없는 값: {v}" for o, v in wrong]


def _etl_command_path(args: list[str]) -> tuple[str, ...]:
    """The command words of `python -m etl ARGS` (`voc`, `users add`); options and their values skipped."""
    positional, i = [], 0
    while i < len(args):
        if args[i] == "--db":
            i += 2
            continue
        if not args[i].startswith("-"):
            positional.append(args[i])
        i += 1
    return tuple(positional[:2] if positional[:1] == ["users"] else positional[:1])


def _bench_problems(args: list[str]) -> list[str]:
    names = [a for a in args if not a.startswith("-")]
    stems = [p.stem for p in (ROOT / "bench").glob("bench_*.py")]
    out = [f"벤치마크 없음: {n}" for n in names if not any(n in s for s in stems)]
    main = (ROOT / "bench" / "__main__.py").read_text(encoding="utf-8")
    return out + [f"python -m bench에 없는 옵션: {o}" for o in _options(args) if f'"{o}"' not in main]


def _pytest_problems(args: list[str]) -> list[str]:
    out, i = [], 0
    while i < len(args):
        arg = args[i]
        if arg == "-m":
            out += [
                f"pytest.ini에 없는 표시: {w}"
                for w in re.findall(r"\w+", args[i + 1])
                if w not in {"and", "or", "not"} and w not in pytest_markers()
            ]
        if arg in VALUE_OPTIONS:
            i += 2
            continue
        if not arg.startswith("-") and not (ROOT / arg.split("::")[0]).exists():
            out.append(f"시험 경로 없음: {arg}")
        i += 1
    return out


# ---- what exists ------------------------------------------------------------------------------------------
@cache
def makefile_targets() -> frozenset[str]:
    text = (ROOT / "Makefile").read_text(encoding="utf-8")
    return frozenset(re.findall(r"^([A-Za-z][\w.-]*)\s*:(?!=)", text, re.M))


@cache
def pytest_markers() -> frozenset[str]:
    text = (ROOT / "pytest.ini").read_text(encoding="utf-8")
    block = text.split("markers", 1)[1] if "markers" in text else ""
    return frozenset(re.findall(r"^\s+(\w+):", block, re.M))


def etl_help(command_path: tuple[str, ...]) -> tuple[int, str]:
    """Exit code and output of `python -m etl PATH --help`, through the command's own entry point."""
    out = io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(out):
        try:
            code = etl_main.main([*command_path, "--help"])
        except SystemExit as exc:
            code = exc.code
    return int(code or 0), out.getvalue()


# ---- links ------------------------------------------------------------------------------------------------
def links(page: Path) -> list[str]:
    text = FENCE.sub("", page.read_text(encoding="utf-8"))
    text = re.sub(r"`[^`\n]*`", "", text)
    return [t for t in LINK.findall(text) if not re.match(r"[a-z]+:", t)]


def heading_slugs(page: Path) -> set[str]:
    """GitHub's heading anchors: lower case, punctuation dropped, spaces to '-', -1 -2 for repeats."""
    slugs: set[str] = set()
    for title in re.findall(r"^#{1,6}\s+(.+?)\s*#*$", FENCE.sub("", page.read_text(encoding="utf-8")), re.M):
        title = re.sub(r"[`*]|\[([^\]]*)\]\([^)]*\)", r"\1", title).lower()
        kept = (c for c in title if c in " -_" or unicodedata.category(c)[0] in "LMN")
        slug = "".join(kept).replace(" ", "-")
        n, unique = 0, slug
        while unique in slugs:
            n += 1
            unique = f"{slug}-{n}"
        slugs.add(unique)
    return slugs


def link_problem(page: Path, target: str) -> str | None:
    path, _, anchor = target.partition("#")
    file = (page.parent / path).resolve() if path else page
    if not file.exists():
        return f"{page.name}: 없는 파일 {target}"
    if anchor and file.suffix == ".md" and anchor not in heading_slugs(file):
        return f"{page.name}: {file.name}에 없는 제목 #{anchor}"
    return None


# ---- the tests --------------------------------------------------------------------------------------------
DOC_COMMANDS = [(page, line) for page in PAGES for line in commands(page)]
DOC_LINKS = [(page, target) for page in LINKED_PAGES for target in links(page)]


@pytest.mark.parametrize("page, line", DOC_COMMANDS, ids=[f"{p.name}:{line}" for p, line in DOC_COMMANDS])
def test_every_documented_command_exists(page, line):
    assert problems(line) == []


@pytest.mark.parametrize("page, target", DOC_LINKS, ids=[f"{p.name}->{t}" for p, t in DOC_LINKS])
def test_every_relative_link_resolves(page, target):
    assert link_problem(page, target) is None


def test_the_etl_command_line_starts():
    proc = subprocess.run(
        [sys.executable, "-m", "etl", "--help"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        encoding="utf-8",
        timeout=120,
    )
    assert proc.returncode == 0 and "voc" in proc.stdout


def test_the_pages_hold_commands_to_test():
    assert {"make run", "make test"} <= {line.split("#")[0].strip() for _, line in DOC_COMMANDS}
    assert sum(1 for _, line in DOC_COMMANDS if " -m etl " in line) >= 10


def test_the_readme_is_short_and_links_every_docs_page():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert len(readme.splitlines()) <= 90
    linked = {(ROOT / t.partition("#")[0]).resolve() for t in links(ROOT / "README.md")}
    assert [p.name for p in PAGES[1:] if p.resolve() not in linked] == []


def test_the_readme_shows_a_screenshot():
    images = re.findall(r"!\[[^\]]*\]\(([^)\s]+\.png)\)", (ROOT / "README.md").read_text(encoding="utf-8"))
    assert images and all((ROOT / i).stat().st_size > 10_000 for i in images)


@pytest.mark.parametrize(
    "line, expected",
    [
        ("python -m etl voc a.csv --no-such-option", "없는 옵션: --no-such-option"),
        ("python -m etl users add 김 --role 분석 --colour red", "없는 옵션: --colour"),
        ("python -m etl nosuchcommand x.csv", "--help 실패"),
        ("python -m etl users add 김 --role 손님", "--role에 없는 값: 손님"),
        ("make nosuchtarget", "make 대상 없음"),
        (".venv/bin/python -m pytest tests/test_nothing_here.py -q", "시험 경로 없음"),
        (".venv/bin/python -m pytest -m 'not snail'", "표시: snail"),
        ("python -m bench nosuchbench", "벤치마크 없음"),
        ("python -m bench text --turbo", "없는 옵션: --turbo"),
        ("python -m bench.bench_concurrency --no-such-flag", "없는 옵션"),
        ("python -m ccm.nosuchmodule", "모듈 없음"),
        ("python tests/text_eval/nothing.py", "파일 없음"),
        ("curl http://example.org", "시험할 수 없는 명령"),
    ],
    ids=lambda v: v if " " not in v else None,
)
def test_the_checker_refuses_what_does_not_exist(line, expected):
    assert any(expected in p for p in problems(line)), problems(line)


def test_the_checker_accepts_what_exists():
    assert problems("CCM_DB=x.duckdb python -m etl --db x.duckdb users list --db y.duckdb") == []
    assert problems(".venv/bin/python -m pytest tests/test_sla.py -q -k at_risk -m 'not slow'") == []
    assert problems("python -m bench voc_load && make bench") == []


def test_a_link_to_a_missing_file_or_heading_is_found():
    readme = ROOT / "README.md"
    assert "없는 파일" in link_problem(readme, "docs/nowhere.md")
    assert "없는 제목" in link_problem(readme, "docs/sla.md#없는-제목")
    assert link_problem(readme, "docs/sla.md#준수-판정") is None


def test_commands_are_read_from_fenced_blocks_and_inline_code(tmp_path):
    page = tmp_path / "page.md"
    page.write_text(
        "설명 `python -m etl voc a.csv --strict` 과 ``make demo``.\n\n"
        "```sh\nmake run    # 주석\n\n# 줄 주석\n```\n\n"
        "```console\n$ make test\n출력 줄\n```\n\n"
        "```powershell\n.venv\\Scripts\\python -m pytest\n```\n\n"
        "```toml\n[columns]\n```\n",
        encoding="utf-8",
    )
    assert commands(page) == [
        "make run",
        "make test",
        ".venv/Scripts/python -m pytest",
        "python -m etl voc a.csv --strict",
        "make demo",
    ]
