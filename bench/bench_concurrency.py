"""A room full of users: N concurrent sessions against a real `streamlit run dashboard.py` on loopback.

Each scenario starts a fresh server on a fresh copy of the demo database (so every scenario begins
with cold caches, as after a load). A session is a lightweight websocket client speaking Streamlit's
own protocol (BackMsg / ForwardMsg protobufs from the installed streamlit): it opens the app, signs
in through the real login form (widget states for 사용자 이름 / 비밀번호 and the form's submit
trigger — the same messages a browser sends; accounts are created beforehand with ccm.auth, role
분석), then opens the pages one after another. "Time to a settled page" = from sending the rerun to
the server's script_finished (FINISHED_SUCCESSFULLY) for that run. Errors: an exception element, a
"database busy" message, a closed socket or a view not settled within VIEW_TIMEOUT seconds.

Scenarios: N = 1, 5, 10 sessions, each without and with a CLI load (`python -m etl voc FILE`, a
generated VOC export of LOAD_ROWS rows) started just before the sessions. Reported per scenario:
p50 / p95 of the page views, the sign-in times, errors, the load's own time; and the ratio
p95(N=10) / p95(N=1) for each condition (target ≤ 3, no session errors). Midway through a session one
download is clicked (the deferred build, fetched over HTTP): downloads are built on click, and a
page that built one eagerly is counted.

    python -m bench.bench_concurrency            # N = 1, 5, 10; 2 rounds of 8 pages; 100,000-row load
    python -m bench.bench_concurrency --quick    # N = 1, 3; 1 round; 20,000-row load
    python -m bench.bench_concurrency --sessions 1,10 --no-load   # while working on it
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
import uuid
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from bench.common import peak_mb, record

ROOT = Path(__file__).resolve().parent.parent
NOW = "2026-11-25T10:00:00"
PAGES = ["overview", "sla", "trends", "kpi", "pcsi", "ranking", "report", "meeting"]
PASSWORD = "bench-password-1"
VIEW_TIMEOUT = 120.0
BUSY_TEXT = "사용 중입니다"


@dataclass
class Plan:
    sessions: list[int]
    rounds: int
    load_rows: int


FULL = Plan([1, 5, 10], rounds=2, load_rows=100_000)
QUICK = Plan([1, 3], rounds=1, load_rows=20_000)


@dataclass
class Run:
    """What one rerun brought back."""

    seconds: float
    ok: bool
    widgets: dict[str, str] = field(default_factory=dict)  # label → widget id
    pages: dict[str, str] = field(default_factory=dict)  # url path → page script hash
    deferred: list[str] = field(default_factory=list)  # deferred download file ids
    eager_downloads: int = 0
    errors: list[str] = field(default_factory=list)


# ---- the client ----------------------------------------------------------------------------------


class Session:
    """One browser tab's worth of protocol: reruns with widget states, reading until the run settles."""

    def __init__(self, port: int) -> None:
        from websockets.sync.client import connect

        self.port = port
        self.ws = connect(
            f"ws://127.0.0.1:{port}/_stcore/stream",
            subprotocols=["streamlit"],
            max_size=None,
            proxy=None,
            legacy=True,
            open_timeout=30,
        )
        self.pages: dict[str, str] = {}
        self.session_id = ""

    def close(self) -> None:
        self.ws.close()

    def rerun(self, page: str | None = None, widgets: list | None = None) -> Run:
        from streamlit.proto.BackMsg_pb2 import BackMsg

        msg = BackMsg()
        msg.rerun_script.query_string = ""
        if page is not None:  # the default page may be listed under "" only
            msg.rerun_script.page_script_hash = self.pages.get(page) or self.pages[""]
        for w in widgets or []:
            msg.rerun_script.widget_states.widgets.append(w)
        start = time.perf_counter()
        self.ws.send(msg.SerializeToString())
        run = self._settle(start)
        self.pages.update(run.pages)
        return run

    def _settle(self, start: float) -> Run:
        from streamlit.proto.ForwardMsg_pb2 import ForwardMsg

        run = Run(0.0, False)
        deadline = start + VIEW_TIMEOUT
        while True:
            left = deadline - time.perf_counter()
            if left <= 0:
                run.errors.append("timeout")
                break
            try:
                raw = self.ws.recv(timeout=left)
            except TimeoutError:
                continue
            except Exception as exc:  # connection closed
                run.errors.append(type(exc).__name__)
                break
            f = ForwardMsg()
            f.ParseFromString(raw)
            kind = f.WhichOneof("type")
            if kind == "delta" and f.delta.WhichOneof("type") == "new_element":
                _note_element(run, f.delta.new_element)
            elif kind == "new_session":
                self.session_id = f.new_session.initialize.session_id or self.session_id
            elif kind == "navigation":
                run.pages.update({p.url_pathname: p.page_script_hash for p in f.navigation.app_pages})
            elif kind == "script_finished" and f.script_finished == ForwardMsg.FINISHED_SUCCESSFULLY:
                run.ok = not run.errors
                break
        run.seconds = time.perf_counter() - start
        return run

    def download(self, file_id: str) -> tuple[float, int]:
        """Click a deferred download: the server builds the file now; fetch it over HTTP."""
        from streamlit.proto.BackMsg_pb2 import BackMsg
        from streamlit.proto.ForwardMsg_pb2 import ForwardMsg

        msg = BackMsg()
        msg.backend_operation_request.request_id = uuid.uuid4().hex
        msg.backend_operation_request.session_id = self.session_id
        msg.backend_operation_request.deferred_file.file_id = file_id
        start = time.perf_counter()
        self.ws.send(msg.SerializeToString())
        deadline = start + VIEW_TIMEOUT
        while time.perf_counter() < deadline:
            f = ForwardMsg()
            f.ParseFromString(self.ws.recv(timeout=deadline - time.perf_counter()))
            if f.WhichOneof("type") == "backend_operation_response":
                url = f.backend_operation_response.deferred_file.url
                if not url:
                    raise RuntimeError(f.backend_operation_response.error_msg or "no url")
                with urllib.request.urlopen(f"http://127.0.0.1:{self.port}{url}", timeout=60) as r:
                    size = len(r.read())
                return time.perf_counter() - start, size
        raise TimeoutError("download")


def _note_element(run: Run, el) -> None:
    kind = el.WhichOneof("type")
    sub = getattr(el, kind)
    if kind == "exception":
        run.errors.append(f"exception: {sub.message[:80]}")
    elif kind == "alert" and BUSY_TEXT in sub.body:
        run.errors.append("busy")
    elif kind == "download_button":
        if sub.deferred_file_id:
            run.deferred.append(sub.deferred_file_id)
        else:
            run.eager_downloads += 1
    if getattr(sub, "id", "") and hasattr(sub, "label"):
        run.widgets[sub.label] = sub.id


def sign_in(session: Session, username: str) -> Run:
    from streamlit.proto.WidgetStates_pb2 import WidgetState

    form = session.rerun()
    ids = form.widgets
    if not {"사용자 이름", "비밀번호", "로그인"} <= set(ids):
        form.errors.append("no login form")
        return form
    widgets = [
        WidgetState(id=ids["사용자 이름"], string_value=username),
        WidgetState(id=ids["비밀번호"], string_value=PASSWORD),
        WidgetState(id=ids["로그인"], trigger_value=True),
    ]
    run = session.rerun(widgets=widgets)
    if "로그아웃" not in run.widgets:
        run.errors.append("not signed in")
        run.ok = False
    return run


@dataclass
class Outcome:
    views: list[float] = field(default_factory=list)
    logins: list[float] = field(default_factory=list)
    downloads: list[float] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    eager_downloads: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock)


def one_user(port: int, username: str, rounds: int, start: threading.Barrier, out: Outcome) -> None:
    views, errors, eager = [], [], 0
    login = dl = None
    try:
        session = Session(port)
        try:
            start.wait(timeout=120)
            run = sign_in(session, username)
            login, errors = run.seconds, list(run.errors)
            if run.ok:
                for i, page in enumerate(PAGES * rounds):
                    run = session.rerun(page)
                    views.append(run.seconds)
                    errors += [f"{page}: {e}" for e in run.errors]
                    eager += run.eager_downloads
                    if i == len(PAGES) // 2 and run.deferred:  # one click mid-session, as a user would
                        dl, size = session.download(run.deferred[0])
                        if size == 0:
                            errors.append("empty download")
        finally:
            session.close()
    except Exception as exc:
        errors.append(f"{type(exc).__name__}: {exc}")
    with out.lock:
        out.views += views
        out.errors += errors
        out.eager_downloads += eager
        if login is not None:
            out.logins.append(login)
        if dl is not None:
            out.downloads.append(dl)


# ---- server, database, load ----------------------------------------------------------------------


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def environment(folder: Path, db: Path) -> dict[str, str]:
    env = {
        **os.environ,
        "CCM_SETTINGS": str(folder / "settings.toml"),
        "CCM_DB": str(db),
        "CCM_SECRET_KEY_FILE": str(folder / "secret.key"),
        "CCM_NOW": NOW,
    }
    env.pop("CCM_TEST", None)
    return env


def build_demo(folder: Path, users: int) -> Path:
    """The demo database built through the real loaders, with `users` accounts (role 분석)."""
    from ccm import auth, db
    from ccm.settings import load_settings, write_copy
    from etl import demo

    path = folder / "demo.duckdb"
    os.environ.update({"CCM_SECRET_KEY_FILE": str(folder / "secret.key"), "CCM_NOW": NOW})
    settings = demo.build(path, load_settings(write_copy(folder, path)))
    password_hash = auth.hash_password(PASSWORD)
    with db.session(path) as con:
        for i in range(1, users + 1):
            auth.create_user(
                con, f"bench{i}", "분석", None, settings=settings, by="bench", password_hash=password_hash
            )
    return path


class Server:
    def __init__(self, folder: Path, db: Path) -> None:
        self.port = _free_port()
        self.log = (folder / f"server_{self.port}.log").open("w")
        self.proc = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "streamlit",
                "run",
                "dashboard.py",
                "--server.address",
                "127.0.0.1",
                "--server.port",
                str(self.port),
                "--server.headless",
                "true",
                "--server.fileWatcherType",
                "none",
                "--browser.gatherUsageStats",
                "false",
            ],
            cwd=ROOT,
            env=environment(folder, db),
            stdout=self.log,
            stderr=subprocess.STDOUT,
        )
        deadline = time.monotonic() + 90
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"streamlit exited with {self.proc.returncode}")
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{self.port}/_stcore/health", timeout=2):
                    return
            except OSError:
                time.sleep(0.3)
        self.stop()
        raise TimeoutError("streamlit did not become healthy")

    def stop(self) -> None:
        self.proc.terminate()
        try:
            self.proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
        self.log.close()


@dataclass
class Load:
    proc: subprocess.Popen
    started: float
    log: Path

    def finish(self, grace: float = 5.0) -> tuple[float, str]:
        """(seconds it ran, how it ended); a load still running after the sessions is stopped."""
        try:
            code = self.proc.wait(timeout=grace)
            ended = {0: "적재 완료", 1: "적재 완료(오류 행은 오류 파일로; 생성한 파일에 일부러 넣은 것)"}
            return time.perf_counter() - self.started, ended.get(code, f"실패(종료 코드 {code})")
        except subprocess.TimeoutExpired:
            took = time.perf_counter() - self.started
            self.proc.terminate()
            try:
                self.proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
            return took, "세션이 끝난 뒤에도 실행 중이어서 중단함"


def start_load(folder: Path, db: Path, file: Path) -> Load:
    log = folder / f"load_{time.monotonic_ns()}.log"
    with log.open("w") as fh:
        proc = subprocess.Popen(
            [sys.executable, "-m", "etl", "voc", str(file), "--rejects-dir", str(folder)],
            cwd=ROOT,
            env=environment(folder, db),
            stdout=fh,
            stderr=subprocess.STDOUT,
        )
    return Load(proc, time.perf_counter(), log)


# ---- scenarios -----------------------------------------------------------------------------------


def pct(values: list[float], q: float) -> float:
    return float(np.percentile(values, q)) if values else float("nan")


def cpu_seconds(pid: int) -> float:
    """User + system CPU a process has used so far (Linux /proc; 0 elsewhere)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    except (OSError, ValueError, IndexError):
        return 0.0


def scenario(folder: Path, pristine: Path, n: int, rounds: int, load_file: Path | None) -> dict:
    db = folder / "work.duckdb"
    for p in (db, db.with_name(db.name + ".wal")):
        p.unlink(missing_ok=True)
    shutil.copy(pristine, db)
    shutil.copy(pristine.with_name("demo.overlay.toml"), db.with_name("work.overlay.toml"))
    server = Server(folder, db)
    load = None
    try:
        if load_file is not None:
            load = start_load(folder, db, load_file)
            time.sleep(2.0)  # past process start-up, into reading the file
        out, barrier = Outcome(), threading.Barrier(n)
        threads = [
            threading.Thread(target=one_user, args=(server.port, f"bench{i + 1}", rounds, barrier, out))
            for i in range(n)
        ]
        t0, server_cpu, client_cpu = time.perf_counter(), cpu_seconds(server.proc.pid), time.process_time()
        for t in threads:
            t.start()
        for t in threads:
            t.join(timeout=VIEW_TIMEOUT * (len(PAGES) * rounds + 3))
        window = time.perf_counter() - t0
        server_cpu, client_cpu = cpu_seconds(server.proc.pid) - server_cpu, time.process_time() - client_cpu
        server_peak = peak_mb(server.proc.pid)
    finally:
        load_took, load_end = load.finish() if load else (None, "")
        server.stop()
    return {
        "n": n,
        "load": load_file is not None,
        "views": out.views,
        "logins": out.logins,
        "downloads": out.downloads,
        "errors": out.errors,
        "eager": out.eager_downloads,
        "window": window,
        "server_cpu": server_cpu,
        "client_cpu": client_cpu,
        "server_peak_mb": server_peak,
        "load_took": load_took,
        "load_end": load_end,
        "expected_views": n * rounds * len(PAGES),
    }


def report(r: dict) -> None:
    cond = "CLI 적재 중" if r["load"] else "적재 없음"
    print(
        f"N={r['n']:>2} ({cond}): 화면 {len(r['views'])}/{r['expected_views']}회, "
        f"p50 {pct(r['views'], 50):.2f}초 · p95 {pct(r['views'], 95):.2f}초 · 최대 {max(r['views'], default=float('nan')):.2f}초 | "
        f"로그인 p50 {pct(r['logins'], 50):.2f}초 · 최대 {max(r['logins'], default=float('nan')):.2f}초 | "
        f"내려받기(클릭 시 생성) p50 {pct(r['downloads'], 50):.2f}초 | 오류 {len(r['errors'])}건 | 전체 {r['window']:.1f}초",
        flush=True,
    )
    views = max(len(r["views"]), 1)
    print(
        f"    CPU: 서버 {r['server_cpu']:.1f}초(화면당 {r['server_cpu'] / views:.2f}초) · "
        f"세션 클라이언트 {r['client_cpu']:.1f}초 · 서버 최대 메모리 {r['server_peak_mb']:,.0f}MB",
        flush=True,
    )
    if r["eager"]:
        print(f"    화면을 열 때 미리 만든 내려받기 파일: {r['eager']}개", flush=True)
    if r["load"]:
        print(f"    적재: {r['load_took']:.1f}초, {r['load_end']}", flush=True)
    for e in sorted(set(r["errors"]))[:5]:
        print(f"    오류: {e} ({r['errors'].count(e)}회)", flush=True)


def main(plan: Plan, loads: tuple[bool, ...] = (False, True)) -> int:
    from bench.bench_voc_load import generate

    with tempfile.TemporaryDirectory(prefix="ccm-bench-users-") as tmp:
        folder = Path(tmp)
        t0 = time.perf_counter()
        pristine = build_demo(folder, max(plan.sessions))
        load_file = folder / "voc_load.csv"
        generate(load_file, plan.load_rows)
        print(
            f"준비: 데모 DB + 적재 파일 {plan.load_rows:,}행, {time.perf_counter() - t0:.1f}초 · "
            f"세션마다 {plan.rounds}회 × {len(PAGES)}화면 · CPU {os.cpu_count()}개",
            flush=True,
        )
        results = {}
        for loading in loads:
            for n in plan.sessions:
                results[(loading, n)] = r = scenario(
                    folder, pristine, n, plan.rounds, load_file if loading else None
                )
                report(r)
        failed = False
        lo, hi = min(plan.sessions), max(plan.sessions)
        for loading in loads:
            a, b = results[(loading, lo)], results[(loading, hi)]
            ratio = pct(b["views"], 95) / pct(a["views"], 95)
            errors = len(b["errors"]) + len(a["errors"])
            ok = ratio <= 3 and errors == 0
            failed |= not ok
            print(
                f"p95(N={hi}) / p95(N={lo}) {'CLI 적재 중' if loading else '적재 없음'}: {ratio:.2f}배 "
                f"(목표 ≤ 3, 세션 오류 0) {'달성' if ok else '미달'}",
                flush=True,
            )
            record(
                f"concurrency: p95 page view, {hi} vs {lo} sessions{', CLI load running' if loading else ''}"
                f"{f' ({errors} errors)' if errors else ''}",
                pct(b["views"], 95),
                pct(a["views"], 95),
                ratio,
                "≤ 3×, 0 errors",
                ok,
                baseline_name=f"{lo} session{'s' if lo > 1 else ''}",
            )
        return 1 if failed else 0


if __name__ == "__main__":
    argv = sys.argv[1:]
    quick = "--quick" in argv or os.environ.get("BENCH_QUICK") == "1"
    plan = QUICK if quick else FULL
    if "--sessions" in argv:
        plan = Plan(
            [int(n) for n in argv[argv.index("--sessions") + 1].split(",")], plan.rounds, plan.load_rows
        )
    sys.exit(main(plan, (False,) if "--no-load" in argv else (False, True)))
