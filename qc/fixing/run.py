"""``qc fix``: turn a check's findings into a cleaned corpus, a quarantine and a manifest.

The check runs first (any engine, any ``--jobs``); its findings store is in corpus order. Then each input
file's raw records stream past in the order the check read them, joined with their findings by
``(source_path, source_line)`` (:mod:`qc.fixing.findings`), the actions applied (:mod:`qc.fixing.edit`), and
the file written in its own format (:mod:`qc.fixing.writers`) at its relative path under ``--out``. A file
no ``strip`` or ``drop`` finding touches is copied byte for byte, so ``qc fix`` on its own output changes
nothing. Writing is sequential and deterministic: the bytes depend on the findings only, never on
``--jobs`` or the engine.

Layout of ``--out``: the cleaned files, and a hidden ``.qc/`` folder (which no later ``qc check`` of the
folder reads) with ``quarantine.jsonl`` (one dropped record a line, with its findings) and
``manifest.json``. Every file is written under a temporary name and renamed when complete
(:func:`qc.outputs.atomic_binary_output`).
"""

from __future__ import annotations

import contextlib
import hashlib
import io
import json
import os
import tempfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

import numpy as np
import pandas as pd

from qc import __version__
from qc.config import Config, settings_document
from qc.errors import InputError, OutputError
from qc.fixing.actions import ActionPlan
from qc.fixing.edit import RECORD_COUNTS, Change, Editor
from qc.fixing.findings import FindingsCursor
from qc.fixing.recheck import Rechecker
from qc.fixing.writers import copy_file, writer_for
from qc.load import InputFile, resolve_inputs
from qc.outputs import atomic_binary_output
from qc.registry import RuleSet
from qc.store import FindingsStore

#: The hidden folder under ``--out`` holding the quarantine and the manifest.
META_DIR = ".qc"
QUARANTINE = f"{META_DIR}/quarantine.jsonl"
MANIFEST = f"{META_DIR}/manifest.json"
OPTION = "--out"


@dataclass
class Planned:
    """One input file and the path of its cleaned copy, relative to ``--out``."""

    src: InputFile
    relative: Path


@dataclass
class FixReport:
    """What a fix did: counts, and the files written (relative to ``--out``)."""

    records: dict[str, int]
    rules: dict[str, dict[str, Any]]
    outputs: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    changes: list[Change] = field(default_factory=list)
    #: Files an earlier fix wrote into ``--out`` that this one did not (now a dropped post, say), removed.
    removed: list[str] = field(default_factory=list)


def plan_files(specs: list[str]) -> list[Planned]:
    """Every input file with its relative output path, in the order the paths resolve (the canonical order
    of the quarantine and the flagged list).

    A folder argument's files keep their path under it; a file argument (or a glob's match) its name. With
    several arguments the paths are relative to what their roots share, so no two inputs meet on one output.
    """
    planned: list[tuple[InputFile, Path]] = []
    for spec in specs:
        is_dir = Path(spec).is_dir()
        for src in resolve_inputs([spec]):
            root = Path(spec) if is_dir else src.path.parent
            planned.append((src, Path(os.path.abspath(root))))
    if not planned:
        return []
    base = Path(os.path.commonpath([str(root) for _, root in planned]))
    return [Planned(src, Path(os.path.abspath(src.path)).relative_to(base)) for src, _ in planned]


def read_order(planned: list[Planned], batch_rows: int, engine: str) -> list[Planned]:
    """Planned files in the order their findings are stored. The Dask engine checks the files as they
    resolve; the local one reads other files first, then text posts in batches of ``batch_rows``, each
    batch's findings sorted by path (:func:`qc.engine.sort_findings`). A store in any other order is an
    internal error (:class:`qc.fixing.findings.FindingsCursor` says so), never a silently wrong output."""
    if engine == "dask":
        return list(planned)
    others = [p for p in planned if p.src.fmt != "text"]
    texts = [p for p in planned if p.src.fmt == "text"]
    ordered = list(others)
    for start in range(0, len(texts), batch_rows):
        ordered += sorted(texts[start : start + batch_rows], key=lambda p: p.src.display)
    return ordered


class Spool:
    """JSON lines written file by file in read order, read back in the canonical file order.

    The engines read files in different orders; the quarantine and the flagged list must not depend on it.
    Each file's lines are contiguous in one temporary file, so only an offset pair per file is kept.
    """

    def __init__(self, handle: IO[bytes]) -> None:
        self.handle = handle
        self.segments: dict[str, tuple[int, int]] = {}
        self._current: str | None = None
        self.lines = 0

    def begin(self, display: str) -> None:
        """Lines written from now on belong to the file ``display``."""
        self._current = display
        position = self.handle.tell()
        self.segments[display] = (position, position)

    def write(self, entry: dict[str, Any]) -> None:
        """Add one entry of the current file."""
        assert self._current is not None
        self.handle.write(_json_line(entry))
        self.lines += 1
        start, _ = self.segments[self._current]
        self.segments[self._current] = (start, self.handle.tell())

    def lines_in(self, order: list[str]) -> Iterator[bytes]:
        """Every line, the files in ``order``."""
        self.handle.flush()
        for display in order:
            start, end = self.segments.get(display, (0, 0))
            self.handle.seek(start)
            data = self.handle.read(end - start)
            yield from data.splitlines(keepends=True)
        self.handle.seek(0, os.SEEK_END)


def _inside(path: str, folder: str) -> bool:
    return path == folder or path.startswith(folder.rstrip(os.sep) + os.sep)


def check_out_dir(out: Path, specs: list[str], planned: list[Planned], overwrite: bool) -> None:
    """Refuse an ``--out`` that is, holds or lies inside an input's folder, or is an input; and an existing
    non-empty one unless ``overwrite``. Runs before the check, so a mistake costs no corpus pass."""
    target = os.path.realpath(out)
    folders = {os.path.realpath(spec) for spec in specs if Path(spec).is_dir()}
    folders |= {os.path.realpath(p.src.path.parent) for p in planned}
    for item in planned:
        if os.path.realpath(item.src.path) == target:
            raise OutputError(f"{out} is the input file {item.src.display}: qc fix never writes over its input",
                              field=OPTION)
    for folder in sorted(folders):
        if _inside(target, folder) or _inside(folder, target):
            how = "is" if target == folder else "lies inside" if _inside(target, folder) else "holds"
            raise OutputError(f"{out} {how} the input folder {folder}: write the cleaned corpus outside the "
                              "inputs", field=OPTION)
    if os.path.lexists(out) and not os.path.isdir(out):
        raise OutputError(f"{out} exists and is not a folder", field=OPTION)
    if os.path.isdir(out) and os.listdir(out) and not overwrite:
        raise OutputError(f"{out} exists and is not empty (add --overwrite to replace the files qc fix writes "
                          "there)", field=OPTION)
    if os.path.isdir(out) and not os.access(out, os.W_OK | os.X_OK):
        raise OutputError(f"cannot write into {out}: Permission denied", field=OPTION)
    check_writers(planned)


def check_writers(planned: list[Planned]) -> None:
    """Refuse an input whose format has no writer yet (a dry run too: it reads through the writer)."""
    for item in planned:
        if item.src.problem is None and writer_for(item.src.fmt) is None:
            raise OutputError(f"{item.src.display}: qc fix has no writer for {item.src.fmt} files yet; leave it "
                              "out of the inputs", field=OPTION)


def _actionable(plan: ActionPlan) -> Callable[[pd.DataFrame], np.ndarray]:
    actions = {code: rule.action for code, rule in plan.by_code.items()}

    def keep(chunk: pd.DataFrame) -> np.ndarray:
        return (chunk["rule"].map(actions).fillna("flag") != "keep").to_numpy(dtype=bool)

    return keep


def edited_paths(store: FindingsStore, plan: ActionPlan) -> set[str]:
    """The files with a ``strip`` or ``drop`` finding (the others are copied byte for byte)."""
    acting = [code for code, rule in plan.by_code.items() if rule.action in ("strip", "drop")]
    paths: set[str] = set()
    for chunk in store.chunks(["rule", "source_path"]):
        paths.update(chunk.loc[chunk["rule"].isin(acting), "source_path"].astype(str).unique().tolist())
    return paths


def _json_line(value: Any) -> bytes:
    # Parquet cells may be timestamps or bytes: written as text; a lone surrogate as its JSON escape.
    text = json.dumps(value, ensure_ascii=False, default=str, separators=(",", ":"))
    return text.encode("utf-8", errors="backslashreplace") + b"\n"


class _Enough(Exception):
    """The diff has its records: stop reading."""


def _sha256(path: Path) -> tuple[int, str]:
    digest = hashlib.sha256()
    size = 0
    with open(path, "rb") as handle:
        while step := handle.read(1 << 20):
            digest.update(step)
            size += len(step)
    return size, digest.hexdigest()


def _rules_document(ruleset: RuleSet, plan: ActionPlan) -> list[dict[str, Any]]:
    return [{"code": rule.code, "name": rule.name, "family": rule.family, "severity": rule.severity.value,
             "action": plan.get(rule.code).action, "strip": plan.get(rule.code).scope,
             "action_from": plan.get(rule.code).origin} for rule in ruleset]


def fix_corpus(specs: list[str], store: FindingsStore, ruleset: RuleSet, config: Config,
               mappings: dict[str, dict[str, str]], errors: list[InputError], out: Path | None, *,
               records_read: int = 0, diff_limit: int | None = None) -> FixReport:
    """Write the cleaned corpus, quarantine and manifest under ``out``; or, with ``out`` None, collect the
    first ``diff_limit`` changes only (``qc fix --diff``). ``errors`` are the check's file-level input
    errors: those files are not written (the manifest lists them)."""
    plan = ActionPlan.build(ruleset, config.actions)
    planned = plan_files(specs)
    failed = {error.path for error in errors if error.path}
    changes: list[Change] = []

    def on_change(change: Change) -> None:
        changes.append(change)
        if diff_limit is not None and len(changes) >= diff_limit:
            raise _Enough

    with tempfile.TemporaryFile() as quarantined, tempfile.TemporaryFile() as flagged_file:
        quarantine, flagged = Spool(quarantined), Spool(flagged_file)
        editor = Editor(plan, quarantine=quarantine.write if out is not None else None,
                        flagged=flagged.write if out is not None else None,
                        on_change=on_change if out is None else None, recheck=Rechecker(ruleset, plan, config))
        written: list[tuple[Planned, Path]] = []
        with contextlib.suppress(_Enough):  # a dry run has the changes it wanted
            written = _fix_files(read_order(planned, config.batch_rows, config.engine), store, plan, mappings,
                                 failed, editor, out, (quarantine, flagged))
        counts = {key: int(editor.records[key]) for key in RECORD_COUNTS}
        # Records the loader read: written unless dropped (and the unreadable ones pass through as well).
        counts = {"read": records_read, "written": records_read - counts["dropped"],
                  "unchanged": records_read - counts["dropped"] - counts["changed"], **counts}
        order = {item.src.display: n for n, item in enumerate(planned)}
        written.sort(key=lambda pair: order[pair[0].src.display])
        report = FixReport(counts, {code: tally.as_dict() for code, tally in sorted(editor.rules.items())},
                           [item.relative.as_posix() for item, _ in written], [str(e) for e in errors], changes)
        if out is None:
            return report
        canonical = [item.src.display for item in planned]
        report.removed = _remove_stale(out, report.outputs)
        with atomic_binary_output(out / QUARANTINE, OPTION) as handle:
            for line in quarantine.lines_in(canonical):
                handle.write(line)
        _write_manifest(out, report, planned, written, failed, ruleset, plan, config, flagged.lines_in(canonical))
    return report


def _fix_files(ordered: list[Planned], store: FindingsStore, plan: ActionPlan, mappings: dict[str, dict[str, str]],
               failed: set[str], editor: Editor, out: Path | None, spools: tuple[Spool, Spool]
               ) -> list[tuple[Planned, Path]]:
    """Each file in read order: rewritten (or copied, when no strip or drop touches it) under ``out``, or
    only read for its changes when ``out`` is None. Returns the files written."""
    cursor = FindingsCursor(store, _actionable(plan))
    edited = edited_paths(store, plan)
    written: list[tuple[Planned, Path]] = []
    for item in ordered:
        src = item.src
        for spool in spools:
            spool.begin(src.display)
        if src.problem is not None or src.display in failed:
            cursor.file(src.display).rest(editor.orphan)
            continue
        mapping = {"text": "text"} if src.fmt == "text" else mappings.get(src.display) or {"text": "text"}
        fix_file = writer_for(src.fmt)
        assert fix_file is not None  # check_out_dir refused the rest
        findings = cursor.file(src.display)
        if src.display not in edited:
            findings.rest(editor.orphan)
            if out is not None:
                with atomic_binary_output(out / item.relative, OPTION) as handle:
                    copy_file(src, handle)
                written.append((item, out / item.relative))
            continue
        if out is None:
            fix_file(src, findings, editor, mapping, None)
            continue
        target = out / item.relative
        if src.fmt == "text":  # a post is read whole: decided first, so a dropped one leaves no file
            buffer = io.BytesIO()
            dropped = editor.records["dropped"]
            fix_file(src, findings, editor, mapping, buffer)
            if editor.records["dropped"] > dropped:
                continue
            with atomic_binary_output(target, OPTION) as handle:
                handle.write(buffer.getvalue())
        else:
            with atomic_binary_output(target, OPTION) as handle:
                fix_file(src, findings, editor, mapping, handle)
        written.append((item, target))
    for group in cursor.leftover():
        editor.orphan(group)
    return written


def _per_action(rules: dict[str, dict[str, Any]]) -> dict[str, dict[str, int]]:
    """Findings, rules and characters removed per action (the per-rule counts summed)."""
    totals: dict[str, dict[str, int]] = {}
    for tally in rules.values():
        total = totals.setdefault(tally["action"], {"rules": 0, "findings": 0, "chars_removed": 0, "not_applied": 0})
        total["rules"] += 1
        for key in ("findings", "chars_removed", "not_applied"):
            total[key] += tally[key]
    return dict(sorted(totals.items()))


def _remove_stale(out: Path, outputs: list[str]) -> list[str]:
    """Remove the files the previous manifest in ``out`` lists that this run did not write, when they are
    still as that run wrote them (same sha256): ``--overwrite`` leaves no stale post for a later check to
    read, and never deletes a file someone else put or changed there."""
    try:
        previous = json.loads((out / MANIFEST).read_text(encoding="utf-8"))
        entries = [(str(e["path"]), str(e["sha256"])) for e in previous.get("outputs", [])]
    except (OSError, ValueError, TypeError, KeyError, AttributeError):
        return []
    root = os.path.realpath(out)
    removed = []
    for relative, digest in entries:
        path = out / relative
        if relative in outputs or not _inside(os.path.realpath(path), root) or not path.is_file():
            continue
        if _sha256(path)[1] == digest:
            path.unlink()
            removed.append(relative)
    return removed


def _write_manifest(out: Path, report: FixReport, planned: list[Planned], written: list[tuple[Planned, Path]],
                    failed: set[str], ruleset: RuleSet, plan: ActionPlan, config: Config,
                    flagged: Iterator[bytes]) -> None:
    inputs = []
    for item in planned:
        entry: dict[str, Any] = {"path": item.src.display, "format": item.src.fmt}
        if item.src.problem is None and item.src.display not in failed:
            entry["bytes"], entry["sha256"] = _sha256(item.src.path)
        else:
            entry["error"] = item.src.problem or "not written: the file could not be read (see errors)"
        inputs.append(entry)
    outputs = []
    for item, target in written:
        size, digest = _sha256(target)
        outputs.append({"path": item.relative.as_posix(), "input": item.src.display, "bytes": size, "sha256": digest})
    quarantine_size, quarantine_digest = _sha256(out / QUARANTINE)
    head = {
        "tool": {"name": "corpus-qc", "version": __version__},
        "inputs": inputs,
        "outputs": outputs,
        "quarantine": {"path": QUARANTINE, "records": report.records["dropped"], "bytes": quarantine_size,
                       "sha256": quarantine_digest},
        "records": report.records,
        "actions": _per_action(report.rules),
        "rules": report.rules,
        "errors": report.errors,
        "removed": report.removed,
        "config": settings_document(config, len(ruleset)),
        "rule_set": _rules_document(ruleset, plan),
    }
    with atomic_binary_output(out / MANIFEST, OPTION) as handle:
        # The flagged records stream in from their temporary file: the manifest never sits whole in memory.
        body = json.dumps(head, ensure_ascii=False, indent=2)
        handle.write(body[: body.rindex("}")].rstrip().encode("utf-8"))
        handle.write(b',\n  "flagged": [')
        first = True
        for line in flagged:
            handle.write((b"\n    " if first else b",\n    ") + line.rstrip(b"\n"))
            first = False
        handle.write(b"\n  ]\n}\n" if not first else b"]\n}\n")
