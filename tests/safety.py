"""Helpers for the fail-safe tests: run ``qc`` with limits or a marker, fingerprint files, find leftovers."""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

from tests.conftest import REPO, Run


def digest(root: Path) -> dict[str, str]:
    """sha256 of every file under ``root`` (or of ``root`` itself), keyed by relative path."""
    if root.is_file():
        return {root.name: hashlib.sha256(root.read_bytes()).hexdigest()}
    return {str(path.relative_to(root)): hashlib.sha256(path.read_bytes()).hexdigest()
            for path in sorted(root.rglob("*")) if path.is_file() and not path.is_symlink()}


def temporary_outputs(root: Path) -> list[Path]:
    """Temporary output files (``.NAME.*.part``) left anywhere under ``root``."""
    return sorted(path for path in root.rglob(".*.part"))


def qc_env(**extra: str) -> dict[str, str]:
    """The environment ``run_qc`` uses, with ``extra`` on top (the repository first on the import path)."""
    path = os.pathsep.join(p for p in (str(REPO), os.environ.get("PYTHONPATH", "")) if p)
    return {**os.environ, "NO_COLOR": "1", "COLUMNS": "200", "PYTHONPATH": path, **extra}


def run_qc_with(*args: str | Path, env: dict[str, str] | None = None, cwd: Path | None = None,
                preexec: Callable[[], None] | None = None, timeout: float = 300) -> Run:
    """``run_qc`` with a ``preexec_fn`` (resource limits) and a full environment of our choosing."""
    proc = subprocess.run([sys.executable, "-m", "qc", *map(str, args)], capture_output=True, text=True,
                          cwd=cwd or REPO, env=env or qc_env(), timeout=timeout, preexec_fn=preexec)
    return Run(proc.returncode, proc.stdout, proc.stderr)


def marked_processes(marker: str) -> list[int]:
    """Pids of live processes whose environment holds ``marker`` (every process a run starts inherits it).

    Read from /proc: after the run's main process is gone its children are re-parented, so only such a
    mark finds them.
    """
    needle = marker.encode()
    found = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            environ = Path(f"/proc/{entry}/environ").read_bytes()
            state = Path(f"/proc/{entry}/stat").read_text().rsplit(")", 1)[1].split()[0]
        except OSError:
            continue
        if state != "Z" and needle in environ.split(b"\0"):
            found.append(int(entry))
    return found


def wait_until(condition: Callable[[], bool], seconds: float) -> bool:
    """Poll ``condition`` until it holds or ``seconds`` pass; return whether it held."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.02)
    return condition()
