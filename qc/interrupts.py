"""Ctrl-C and SIGTERM: stop cleanly, leaving no worker process, temporary file or half-written output.

Python's default SIGTERM action kills the process on the spot, so no ``finally`` runs: temporary files and
the findings spill directory stay behind, and worker processes keep the caller's pipe open. The ``qc``
command therefore turns SIGINT and SIGTERM into :class:`Interrupted`, an exception (a ``BaseException``, so
no ``except Exception`` swallows it) that unwinds the run: pools terminate their workers
(:mod:`qc.parallel`), outputs drop their temporary files (:mod:`qc.outputs`), temporary directories are
removed, and the command exits ``128 + signal`` (130 for SIGINT, 143 for SIGTERM), never 1 (a failed gate).
"""

from __future__ import annotations

import contextlib
import signal
import threading
from collections.abc import Iterator
from types import FrameType

#: The signals the ``qc`` command stops on.
STOP_SIGNALS = (signal.SIGINT, signal.SIGTERM)


class Interrupted(BaseException):
    """The run was stopped by a signal (SIGINT or SIGTERM)."""

    def __init__(self, signum: int) -> None:
        super().__init__(signum)
        self.signum = signum

    @property
    def name(self) -> str:
        """The signal's name, e.g. ``SIGTERM``."""
        return signal.Signals(self.signum).name

    @property
    def exit_code(self) -> int:
        """The shell's convention for a process stopped by a signal: 128 + its number."""
        return 128 + self.signum


def ignore() -> None:
    """Ignore SIGINT and SIGTERM from now on (while a stop or the exit cleans up; SIGKILL still works)."""
    if threading.current_thread() is threading.main_thread():
        for stop in STOP_SIGNALS:
            signal.signal(stop, signal.SIG_IGN)


def _raise_interrupted(signum: int, _frame: FrameType | None) -> None:
    # Later signals are ignored while the first one unwinds the run, so the clean-up it triggers (removing
    # temporary files, terminating workers) is not itself cut short.
    ignore()
    raise Interrupted(signum)


def install() -> None:
    """Make SIGINT and SIGTERM raise :class:`Interrupted` in the main thread (the CLI calls this first)."""
    if threading.current_thread() is not threading.main_thread():
        return
    for stop in STOP_SIGNALS:
        signal.signal(stop, _raise_interrupted)


@contextlib.contextmanager
def deferred() -> Iterator[None]:
    """Hold SIGINT and SIGTERM for a few statements that must not be split (create a temporary file *and*
    remember its name, rename it *and* forget it): a signal arriving meanwhile is delivered at the end."""
    if threading.current_thread() is not threading.main_thread() or not hasattr(signal, "pthread_sigmask"):
        yield
        return
    previous = signal.pthread_sigmask(signal.SIG_BLOCK, STOP_SIGNALS)
    try:
        yield
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, previous)
