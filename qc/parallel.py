"""Ordered, bounded fan-out of units over worker processes (``--jobs N``).

Each worker compiles the rule set once (in the pool initializer) and then checks whole units; results
come back in submission order, and at most ``2 * jobs`` units are in flight, so memory stays bounded
by the batch size whatever the corpus size. ``jobs=1`` runs in this process with the same code.
"""

from __future__ import annotations

import itertools
import multiprocessing
import os
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from typing import Any, TypeVar

T = TypeVar("T")
R = TypeVar("R")

_WORKER: dict[str, Any] = {}


def default_jobs() -> int:
    """All the cores this process may use."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # pragma: no cover - not Linux
        return max(1, os.cpu_count() or 1)


def _context() -> multiprocessing.context.BaseContext:
    # forkserver: workers start from a clean interpreter (no inherited Arrow threads or locks), and fast:
    # the server imports the engine once and forks every worker from that.
    if "forkserver" not in multiprocessing.get_all_start_methods():  # pragma: no cover - not POSIX
        return multiprocessing.get_context("spawn")
    context = multiprocessing.get_context("forkserver")
    context.set_forkserver_preload(["qc.engine"])
    return context


def start_early() -> None:
    """Start the fork server now, so its imports overlap this process's own start-up (the CLI calls this)."""
    if default_jobs() > 1 and "forkserver" in multiprocessing.get_all_start_methods():
        from multiprocessing import forkserver

        _context()
        forkserver.ensure_running()


def _initialise(setup: Callable[..., Any], args: tuple[Any, ...]) -> None:
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
    with ProcessPoolExecutor(max_workers=jobs, mp_context=mp_context, initializer=_initialise,
                             initargs=(setup, setup_args)) as pool:
        try:
            for item in items:
                rows = size(item)
                counter.add(rows)
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
        finally:
            for future, _ in pending:
                future.cancel()
