"""Files are parsed in a child process with a memory and a time limit, so that whatever a file makes a
parser do (allocate 512 GB for one far cell, inflate a zip bomb, loop), the dashboard and every other
session stay up and the CLI gives one Korean line.

`run(fn, *args, limits=…, what=…)` calls `fn(*args)` in a child started from a fork server (a clean
process that imported the parsers once: never a fork of the multithreaded Streamlit server) and returns
its result (pickled back), or raises what it raised. The parent watches the child's resident memory and
its time and kills it beyond `limits.memory_mb` or `limits.seconds`; the kernel bounds its address space
(RLIMIT_AS, a multiple of the memory limit). A child out of memory, killed by a signal or over its time
becomes a Korean `ReadError`. Callables the child may need from the parent (header recognition,
which is a closure) are passed as `calls` and reached through `Remote(name)`.
"""

from __future__ import annotations

import functools
import multiprocessing
import os
import pickle
import time
import traceback
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeVar

from etl.limits import Limits, ReadError, use_limits

T = TypeVar("T")
WATCH_SECONDS = 0.05  # how often the parent looks at the child's resident memory
# The address space a child may reserve, as a multiple of the memory limit: allocators and threads reserve
# far more than they touch (a 1M-row CSV: 1.7 GB resident, 5.8 GB reserved). The memory limit itself is on
# resident memory, watched by the parent; this kernel limit stops at once an allocation of absurd size.
ADDRESS_SPACE_FACTOR = 4
PRELOAD = ["etl.readers", "etl.sandbox", "etl.voc", "etl.survey", "etl.kpi"]
CHILD_NAME = "ccm-parse"

_conn = None  # the child's end of the pipe to its parent; None outside a child
_remote_cache: dict[tuple, Any] = {}


def in_child() -> bool:
    """True inside a parsing child: the reader parses there directly."""
    return _conn is not None


@dataclass(frozen=True)
class Remote:
    """In the child, a callable answered by the parent's `calls[name]` (results remembered)."""

    name: str

    def __call__(self, *args: Any) -> Any:
        key = (self.name, args)
        if key not in _remote_cache:
            _conn.send(("call", self.name, args))
            _remote_cache[key] = _conn.recv()
        return _remote_cache[key]


def run(
    fn: Callable[..., T],
    *args: Any,
    limits: Limits,
    what: str,
    calls: dict[str, Callable | None] | None = None,
    **kwargs: Any,
) -> T:
    """`fn(*args, **kwargs)` in a child within `limits.memory_mb` of resident memory and `limits.seconds`;
    `what` (the file name) is named in the messages. Inside a child, called directly."""
    if in_child():
        return fn(*args, **kwargs)
    ctx = _context()
    parent, child = ctx.Pipe()
    proc = ctx.Process(
        target=_child_main, name=CHILD_NAME, daemon=True, args=(child, limits, dict(os.environ), os.getcwd())
    )
    proc.start()
    child.close()
    try:
        try:
            _send_large(parent, (fn, args, kwargs))
        except OSError:
            proc.join(10)
            raise _died(what, proc.exitcode, limits) from None
        return _serve(parent, proc, limits, what, calls or {})
    finally:
        parent.close()
        if proc.is_alive():
            proc.kill()
        proc.join(10)


@functools.cache
def _context():
    _without_main()
    if "forkserver" not in multiprocessing.get_all_start_methods():
        return multiprocessing.get_context("spawn")
    ctx = multiprocessing.get_context("forkserver")
    ctx.set_forkserver_preload(PRELOAD)
    return ctx


def _without_main() -> None:
    """Our children do not run the caller's __main__ again: under Streamlit that is the page being run
    (multiprocessing would execute it in the child). Only processes named CHILD_NAME are affected."""
    from multiprocessing import spawn

    original = spawn.get_preparation_data

    def preparation_data(name: str) -> dict:
        data = original(name)
        if name == CHILD_NAME:
            data.pop("init_main_from_path", None)
            data.pop("init_main_from_name", None)
        return data

    spawn.get_preparation_data = preparation_data


def _serve(conn, proc, limits: Limits, what: str, calls: dict[str, Callable | None]) -> Any:
    """Answer the child's calls until it returns, raises, dies or runs out of time."""
    deadline = time.monotonic() + limits.seconds
    most = limits.memory_mb * (1 << 20)
    while True:
        left = deadline - time.monotonic()
        if left <= 0:
            proc.kill()
            raise ReadError(
                f"{what}: 파일을 읽는 데 시간 한도({limits.seconds:g}초)를 넘어 멈췄습니다. "
                "파일을 나누어 올리거나 관리자에게 설정 파일 [limits]의 seconds 조정을 요청하세요."
            )
        if not conn.poll(min(left, WATCH_SECONDS)):
            if resident(proc.pid) > most:
                proc.kill()
                raise _out_of_memory(what, limits)
            continue
        try:
            message = conn.recv()
        except (EOFError, OSError):
            proc.join(10)
            raise _died(what, proc.exitcode, limits) from None
        if message[0] == "call":
            conn.send(calls[message[1]](*message[2]))
            continue
        try:
            outcome = _receive_large(conn, message)
        except (EOFError, OSError):
            proc.join(10)
            raise _died(what, proc.exitcode, limits) from None
        if outcome[0] == "ok":
            return outcome[1]
        if outcome[0] == "memory":
            raise _out_of_memory(what, limits)
        raise outcome[1]


# --- transfer: a pickle with its large buffers (Arrow, numpy) sent apart, without copying them into it ---


def _send_large(conn, obj: Any) -> None:
    buffers: list[pickle.PickleBuffer] = []
    payload = pickle.dumps(obj, protocol=5, buffer_callback=buffers.append)
    views = [_view(b) for b in buffers]
    conn.send(("data", [len(payload), *(v.nbytes for v in views)]))
    conn.send_bytes(payload)
    del payload
    for v in views:
        conn.send_bytes(v)


def _view(buffer: pickle.PickleBuffer) -> memoryview:
    try:
        return buffer.raw()
    except BufferError:  # not contiguous: copied
        return memoryview(bytes(buffer))


def _receive_large(conn, header: tuple) -> Any:
    """The object announced by `header` ("data", sizes): received into writable memory (numpy arrays
    rebuilt on it stay writable)."""
    parts = []
    for size in header[1]:
        part = bytearray(size)
        if size:
            conn.recv_bytes_into(part)
        else:
            conn.recv_bytes()
        parts.append(part)
    return pickle.loads(parts[0], buffers=parts[1:])


def resident(pid: int | None) -> int:
    """Bytes of a process's memory in RAM (0 when it is gone)."""
    try:
        with open(f"/proc/{pid}/statm", "rb") as fh:
            return int(fh.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")
    except (OSError, ValueError, IndexError):
        return 0


def _died(what: str, exitcode: int | None, limits: Limits) -> ReadError:
    if exitcode is not None and exitcode < 0:  # a signal: an allocation that failed aborts, the kernel kills
        return _out_of_memory(what, limits)
    return ReadError(
        f"{what}: 파일을 읽던 프로세스가 끝까지 읽지 못하고 멈췄습니다(종료 코드 {exitcode}). "
        "Excel에서 열어 다시 저장한 뒤 올려 주세요."
    )


def _out_of_memory(what: str, limits: Limits) -> ReadError:
    return ReadError(
        f"{what}: 파일을 읽다가 메모리 한도({limits.memory_text()})를 넘었습니다. 빈 행·열을 지우고 "
        "다시 저장하거나 파일을 나누어 올려 주세요. 한도는 설정 파일 [limits]의 memory_mb입니다."
    )


# --- the child ------------------------------------------------------------------------------------


def _child_main(conn, limits: Limits, env: dict[str, str], cwd: str) -> None:
    global _conn
    _conn = conn
    os.environ.clear()
    os.environ.update(env)  # the fork server's environment is the one it started with
    try:
        os.chdir(cwd)
    except OSError:
        pass
    _quiet_stderr()
    _limit_address_space(limits.memory_mb * ADDRESS_SPACE_FACTOR)
    use_limits(limits)
    outcome = _outcome(conn)  # the job's arguments are freed before the result is pickled
    try:
        _send_large(conn, outcome)
    except MemoryError:
        _send_large(conn, ("memory",))
    except Exception as exc:  # noqa: BLE001 - a result or an exception that cannot be pickled
        _send_large(conn, ("raise", RuntimeError(f"{type(outcome[-1]).__name__}: {outcome[-1]} ({exc})")))


def _outcome(conn) -> tuple:
    try:
        fn, args, kwargs = _receive_large(conn, conn.recv())
        return "ok", fn(*args, **kwargs)
    except MemoryError:
        return ("memory",)
    except BaseException as exc:  # noqa: BLE001 - raised again in the parent
        exc.add_note("(읽는 프로세스에서)\n" + "".join(traceback.format_exception(exc)))
        exc.__traceback__ = None
        return "raise", exc


def _limit_address_space(megabytes: float) -> None:
    import resource

    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))  # an aborted parser leaves no multi-GB core file
    size = int(megabytes * (1 << 20))
    _, hard = resource.getrlimit(resource.RLIMIT_AS)
    if hard != resource.RLIM_INFINITY:
        size = min(size, hard)
    resource.setrlimit(resource.RLIMIT_AS, (size, hard))


def _quiet_stderr() -> None:
    """A native parser that fails prints to stderr (a Rust backtrace); the parent says it in Korean."""
    fd = os.open(os.devnull, os.O_WRONLY)
    os.dup2(fd, 2)
    os.close(fd)
