"""Ordered, bounded fan-out of units over worker processes (``--jobs N``).

Each worker compiles the rule set once (in the pool initializer) and then checks whole units; results
come back in submission order, and at most ``2 * jobs`` units are in flight, so memory stays bounded
by the batch size whatever the corpus size. ``jobs=1`` runs in this process with the same code.

Workers never outlive the run. A pool that does not finish normally (an error, Ctrl-C, SIGTERM turned into
:class:`qc.interrupts.Interrupted`) terminates its workers instead of waiting for their units, and
:func:`stop_all_pools` does the same for every live pool (the CLI calls it when it stops). If this process
is killed outright (SIGKILL, an OOM kill), each worker notices: a thread in it waits on the pipe only this
process writes to (``multiprocessing.parent_process().sentinel``), and exits the worker when that pipe
closes, so nothing keeps the caller's pipe open (``qc … | tail`` returns) and the fork server, left without
clients, exits too. (Linux's ``PR_SET_PDEATHSIG`` would not do: a worker's parent is the fork server, which
itself lives as long as any worker holds its pipe.) Workers ignore SIGINT: Ctrl-C reaches the whole
process group, and stopping them is this process's job.
"""

from __future__ import annotations

import contextlib
import itertools
import multiprocessing
import multiprocessing.connection
import os
import signal
import threading
import weakref
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from typing import Any, TypeVar

from qc import interrupts

T = TypeVar("T")
R = TypeVar("R")

_WORKER: dict[str, Any] = {}
#: Pools with live workers, for :func:`stop_all_pools`.
_POOLS: weakref.WeakSet[ProcessPoolExecutor] = weakref.WeakSet()
#: How long a terminated worker gets to exit before it is killed.
_STOP_GRACE_SECONDS = 5.0


def default_jobs() -> int:
    """All the cores this process may use."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # pragma: no cover - not Linux
        return max(1, os.cpu_count() or 1)


#: The longest path a Unix socket may have (sun_path is 108 bytes on Linux, 104 on macOS), less the
#: ``/pymp-XXXXXXXX/listener-XXXXXXXX`` the fork server adds under the temporary folder.
_SOCKET_PATH_MAX = 100
_FORKSERVER_SUFFIX = 34


def _forkserver_usable() -> bool:
    """Whether the fork server can start: it listens on a Unix socket under the temporary folder, and a
    long ``TMPDIR`` makes that path too long (``AF_UNIX path too long``); spawn needs no socket."""
    if "forkserver" not in multiprocessing.get_all_start_methods():  # pragma: no cover - not POSIX
        return False
    import tempfile

    return len(os.fsencode(tempfile.gettempdir())) + _FORKSERVER_SUFFIX <= _SOCKET_PATH_MAX


def _context() -> multiprocessing.context.BaseContext:
    # forkserver: workers start from a clean interpreter (no inherited Arrow threads or locks), and fast:
    # the server imports the engine once and forks every worker from that.
    if not _forkserver_usable():
        return multiprocessing.get_context("spawn")
    context = multiprocessing.get_context("forkserver")
    context.set_forkserver_preload(["qc.engine"])
    return context


def start_early() -> None:
    """Start the fork server now, so its imports overlap this process's own start-up (the CLI calls this)."""
    if default_jobs() > 1 and _forkserver_usable():
        from multiprocessing import forkserver

        _context()
        forkserver.ensure_running()


def _exit_with_run() -> None:
    """Start a thread that ends this worker as soon as the process that started it is gone."""
    run = multiprocessing.parent_process()
    if run is None:  # pragma: no cover - not a multiprocessing child
        return
    sentinel = run.sentinel

    def watch() -> None:
        multiprocessing.connection.wait([sentinel])  # readable only at end-of-file: the run has exited
        os._exit(1)

    threading.Thread(target=watch, name="qc-exit-with-run", daemon=True).start()


def _initialise(setup: Callable[..., Any], args: tuple[Any, ...]) -> None:
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    _exit_with_run()
    _WORKER["context"] = setup(*args)


def _call(fn: Callable[[Any, Any], Any], item: Any) -> Any:
    return fn(_WORKER["context"], item)


class InFlight:
    """Counts what is held at once (units and their rows): the bounded-memory tests read ``max_rows``."""

    def __init__(self) -> None:
        self.rows = 0
        self.max_rows = 0

    def add(self, rows: int) -> None:
        """A unit of ``rows`` rows is now held."""
        self.rows += rows
        self.max_rows = max(self.max_rows, self.rows)

    def done(self, rows: int) -> None:
        """A unit of ``rows`` rows was released."""
        self.rows -= rows


def ordered_map(fn: Callable[[Any, T], R], items: Iterable[T], *, jobs: int, setup: Callable[..., Any],
                setup_args: tuple[Any, ...], rows_of: Callable[[T], int] | None = None,
                in_flight: InFlight | None = None) -> Iterator[R]:
    """Yield ``fn(context, item)`` for every item, in order; ``context = setup(*setup_args)`` once per worker.

    ``fn`` and ``setup`` must be module-level functions (they are pickled to the workers).
    """
    counter = in_flight if in_flight is not None else InFlight()
    size = rows_of or (lambda _item: 0)
    iterator = iter(items)
    head = list(itertools.islice(iterator, 2))
    items = itertools.chain(head, iterator)
    if jobs <= 1 or len(head) < 2:  # one unit: starting processes would only cost time
        context = setup(*setup_args)
        for item in items:
            rows = size(item)
            counter.add(rows)
            result = fn(context, item)
            counter.done(rows)
            yield result
        return
    mp_context = _context()
    pending: deque[tuple[Future[R], int]] = deque()
    pool = ProcessPoolExecutor(max_workers=jobs, mp_context=mp_context, initializer=_initialise,
                               initargs=(setup, setup_args))
    _POOLS.add(pool)
    finished = False
    try:
        for item in items:
            rows = size(item)
            counter.add(rows)
            with interrupts.deferred():  # a submit may start a worker: a signal must not cut its start-up short
                pending.append((pool.submit(_call, fn, item), rows))
            while len(pending) >= 2 * jobs:
                future, done_rows = pending.popleft()
                result = future.result()
                counter.done(done_rows)
                yield result
        while pending:
            future, done_rows = pending.popleft()
            result = future.result()
            counter.done(done_rows)
            yield result
        finished = True
    finally:
        for future, _ in pending:
            future.cancel()
        _POOLS.discard(pool)
        if finished:
            pool.shutdown(wait=True)
        else:  # an error, an interrupt, or a consumer that stopped early: no unit's result is wanted any more
            _terminate(pool)


def _terminate(pool: ProcessPoolExecutor) -> None:
    """Stop a pool's workers now (SIGTERM, then SIGKILL after a grace period) and wait until they are gone."""
    # ``_processes`` is the executor's own table of worker processes (Python 3.14 adds terminate_workers()).
    processes = list((getattr(pool, "_processes", None) or {}).values())
    for process in processes:
        with contextlib.suppress(Exception):
            process.terminate()
    manager = getattr(pool, "_executor_manager_thread", None)
    pool.shutdown(wait=False, cancel_futures=True)
    for process in processes:
        with contextlib.suppress(Exception):
            process.join(_STOP_GRACE_SECONDS)
            if process.is_alive():
                process.kill()
                process.join(_STOP_GRACE_SECONDS)
    if manager is not None:
        # Let the executor's manager thread finish closing its wake-up pipe now: at interpreter exit
        # concurrent.futures wakes every manager it still knows, and one caught closing its pipe prints
        # "Exception ignored in threading._shutdown … Bad file descriptor" after our one line.
        with contextlib.suppress(Exception):
            manager.join(_STOP_GRACE_SECONDS)
        from concurrent.futures import process as futures_process

        with contextlib.suppress(Exception):
            futures_process._threads_wakeups.pop(manager, None)


def stop_all_pools() -> None:
    """Terminate the workers of every live pool (called when the run is stopped by a signal or a crash)."""
    for pool in list(_POOLS):
        _POOLS.discard(pool)
        _terminate(pool)
