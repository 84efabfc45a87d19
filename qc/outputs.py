"""Output files: never written over an input, always whole, and one line naming the option when they fail.

Every file ``qc`` writes (``--output``, ``--html``, ``--findings``, ``--write-baseline``, ``qc eval
--output``) goes through this module:

- :func:`check_outputs` runs before any work and refuses an output path that is a file the run reads
  (a corpus file, also one found in an input folder or by a glob, the config file, a rule file,
  ``--baseline``, ``--labels``), compared by ``(st_dev, st_ino)`` so a symlink or a hard link to an input is
  caught too, and two outputs on one path. ``--write-baseline`` may name the ``--baseline`` file: the old
  baseline is read first, and the new one replaces it whole (a ratchet). A new file inside an input folder
  is allowed (this run does not read it; the next one would, and refuses to overwrite it then). It also
  refuses, up front rather than after a long run, a path that is a directory, lies under a file, or lies in
  a folder this process may not write.
- :func:`atomic_output` writes to a hidden temporary file in the target's own folder and renames it over
  the target (``os.replace``, atomic on POSIX) only once it is complete and flushed to disk. On any error,
  Ctrl-C or SIGTERM (see :mod:`qc.interrupts`) the temporary file is removed, so the final name holds either
  the previous file or a complete new one, never a truncated one. A target that is a device or a pipe
  (``/dev/stdout``, ``/dev/null``) is written in place: there is nothing to rename over.

A failure (a directory, a full disk, a file too large, no permission, a folder that cannot be created) is
an :class:`qc.errors.OutputError`: ``--option: cannot write PATH: reason``, exit 2.
"""

from __future__ import annotations

import contextlib
import os
import stat
import sys
import tempfile
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any, BinaryIO, TextIO, TypeVar

from qc import interrupts
from qc.errors import OutputError


@dataclass(frozen=True)
class ReadFile:
    """A file the run reads: ``role`` says what it is in messages (``input file``, ``rule file``…)."""

    role: str
    path: Path


def corpus_reads(specs: Iterable[str | Path]) -> list[ReadFile]:
    """The files a corpus argument list reads (paths, folders and globs, expanded as :mod:`qc.load` does)."""
    from qc.load import resolve_inputs

    return [ReadFile("input file", item.path) for item in resolve_inputs(list(specs))]


def rule_reads(rule_paths: Iterable[str | Path]) -> list[ReadFile]:
    """The rule files a run loads from pack folders (or single rule files)."""
    from qc.registry import iter_rule_files

    files: list[ReadFile] = []
    for item in map(Path, rule_paths):
        if item.is_dir():
            files.extend(ReadFile("rule file", path) for path in iter_rule_files(item))
        elif item.exists():
            files.append(ReadFile("rule file", item))
    return files


def _identity(path: Path) -> tuple[int, int] | None:
    """(st_dev, st_ino) of the file at ``path`` (through symlinks), or None when there is none."""
    try:
        info = os.stat(path)
    except OSError:
        return None
    return info.st_dev, info.st_ino


def _writable(path: Path, option: str) -> None:
    """Refuse now what writing would refuse later: a directory, a path under a file, a read-only folder."""
    if os.path.isdir(path):
        raise OutputError(f"cannot write {path}: it is a directory", field=option)
    if os.path.exists(path) and not os.path.isfile(path):  # a device or a pipe, written in place
        if not os.access(path, os.W_OK):
            raise OutputError(f"cannot write {path}: Permission denied", field=option)
        return
    folder = Path(os.path.realpath(path)).parent
    while not os.path.lexists(folder) and folder != folder.parent:  # the nearest folder that exists
        folder = folder.parent
    if not os.path.isdir(folder):
        raise OutputError(f"cannot write {path}: {folder} is not a directory", field=option)
    if not os.access(folder, os.W_OK | os.X_OK):
        raise OutputError(f"cannot write {path}: Permission denied (in {folder})", field=option)


def check_outputs(outputs: Mapping[str, Path | None], reads: Callable[[], Iterable[ReadFile]],
                  may_replace: Mapping[str, Path | None] | None = None) -> None:
    """Raise :class:`OutputError` if an output path would write over something the run reads, or plainly
    cannot be written (see :func:`_writable`).

    ``outputs`` maps each option to its path (None when not given); ``reads()`` lists the files the run
    reads (called only when some output file already exists: a new file cannot be an input).
    ``may_replace`` maps an output option to a file it may replace (``--write-baseline`` its ``--baseline``).
    """
    given = {option: path for option, path in outputs.items() if path is not None}
    if not given:
        return
    allowed = {option: _identity(path) for option, path in (may_replace or {}).items() if path is not None}
    identities: list[tuple[tuple[int, int], ReadFile]] | None = None
    seen: dict[str, str] = {}
    for option, path in given.items():
        resolved = os.path.realpath(path)
        if resolved in seen:
            raise OutputError(f"{path} is also the {seen[resolved]} file: give each output its own path",
                              field=option)
        seen[resolved] = option
        _writable(path, option)
        target = _identity(path)
        if target is not None and target != allowed.get(option):
            if identities is None:  # stat every input once, and only when some output already exists
                identities = [(ident, read) for read in reads() if (ident := _identity(read.path)) is not None]
            for ident, read in identities:
                if ident == target:
                    same = "" if os.path.realpath(read.path) == resolved else " (the same file by another name)"
                    raise OutputError(f"{path} is the {read.role} {read.path}{same}: an output never overwrites "
                                      "what the run reads", field=option)


def _umask() -> int:
    """This process's umask, read without changing it where Linux allows (``os.umask`` sets it to read it)."""
    with contextlib.suppress(OSError, ValueError), open("/proc/self/status", encoding="ascii") as status:
        for line in status:
            if line.startswith("Umask:"):
                return int(line.split()[1], 8)
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


def _failure(path: Path, option: str, exc: OSError) -> OutputError:
    reason = exc.strerror or str(exc) or type(exc).__name__
    return OutputError(f"cannot write {path}: {reason}", field=option)


Handle = TypeVar("Handle", bound=IO[Any])


@contextlib.contextmanager
def atomic_output(path: Path, option: str) -> Iterator[TextIO]:
    """Open ``path`` for writing text (UTF-8) as a whole: a temporary file in its folder, renamed over it
    when complete.

    Parent folders are created. Through a symlink, the file it points to is replaced and the link kept. Any
    ``OSError`` while writing becomes an :class:`OutputError` naming ``option`` and ``path``; on any failure
    or interrupt the temporary file is removed and ``path`` is left as it was.
    """
    with _atomic(path, option, lambda file: open(file, "w", encoding="utf-8")) as handle:
        yield handle


@contextlib.contextmanager
def atomic_binary_output(path: Path, option: str) -> Iterator[BinaryIO]:
    """:func:`atomic_output` for bytes (Parquet)."""
    with _atomic(path, option, lambda file: open(file, "wb")) as handle:
        yield handle


@contextlib.contextmanager
def _atomic(path: Path, option: str, opener: Callable[[int | Path], Handle]) -> Iterator[Handle]:
    target = Path(os.path.realpath(path))
    try:
        info: os.stat_result | None = os.stat(target)
    except FileNotFoundError:
        info = None
    except OSError as exc:
        raise _failure(path, option, exc) from None
    if info is not None and stat.S_ISDIR(info.st_mode):
        raise OutputError(f"cannot write {path}: it is a directory", field=option)
    if info is not None and not stat.S_ISREG(info.st_mode):
        # A device or a pipe: written in place (renaming over /dev/stdout would replace the device node).
        try:
            handle = opener(target)
            with handle:
                yield handle
        except OSError as exc:
            raise _failure(path, option, exc) from None
        return
    temporary: str | None = None
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        with interrupts.deferred():  # a signal here must not leave a temporary file nobody knows the name of
            descriptor, temporary = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=".part")
        handle = opener(descriptor)
        with handle:
            yield handle
            handle.flush()
            os.fsync(handle.fileno())  # the rename must not reach the disk before the data does
        # mkstemp makes the file owner-only; the output gets the mode a plain open() would have given it.
        os.chmod(temporary, stat.S_IMODE(info.st_mode) if info is not None else 0o666 & ~_umask())
        with interrupts.deferred():
            os.replace(temporary, target)
            temporary = None
    except OSError as exc:
        raise _failure(path, option, exc) from None
    finally:
        if temporary is not None:
            with contextlib.suppress(OSError):
                os.unlink(temporary)


def write_stdout(write: Callable[[IO[str]], None]) -> None:
    """Call ``write(sys.stdout)``; a closed pipe (``qc … | head``) or a full disk behind a redirect is an
    :class:`OutputError` (exit 2), and stdout is pointed at /dev/null so the exit does not fail again."""
    try:
        write(sys.stdout)
        sys.stdout.flush()
    except OSError as exc:
        with contextlib.suppress(OSError, ValueError):
            devnull = os.open(os.devnull, os.O_WRONLY)
            os.dup2(devnull, sys.stdout.fileno())
            os.close(devnull)
        reason = exc.strerror or str(exc) or type(exc).__name__
        raise OutputError(f"cannot write the report: {reason}", field="stdout") from None
