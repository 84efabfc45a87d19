"""``[tool.qc.per-site-ignores]`` and ``[tool.qc.per-path-ignores]``: drop a rule's findings on some sites or files.

Both tables map a glob to a list of selectors (the selectors of ``ignore``: code, code prefix, family, name).
A finding is dropped when its site (or its source path) matches a glob and its rule matches one of that glob's
selectors.

Glob semantics:

* **Sites** are matched case-insensitively against the finding's ``site``, whole: ``*`` is any run of
  characters (dots included), ``?`` one character, ``[ab]`` a class. ``*.example.com`` matches
  ``a.example.com`` and ``a.b.example.com`` but not ``example.com`` itself (list both to ignore both).
  A finding without a site never matches.
* **Paths** use ``/`` as separator. ``*`` and ``?`` stay inside one path segment and ``**/`` spans any number of
  folders (``crawl/**/*.jsonl``). A glob without ``/`` matches the file name in any folder (``*.csv``). A glob
  with ``/`` is matched against the path relative to the working directory, or, when it starts with ``/``,
  against the absolute path.

The matching is done once per distinct site or path of a batch, then mapped onto the batch's findings, so the
cost does not grow with the number of findings.
"""

from __future__ import annotations

import fnmatch
import os
import re
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from qc.errors import ConfigError

if TYPE_CHECKING:
    from qc.rulespec import RuleSpec


def path_glob_regex(glob: str) -> re.Pattern[str]:
    """The regex for a path glob: ``**/`` spans folders, ``*``/``?`` stay in a segment, ``[..]`` a class."""
    out: list[str] = []
    i = 0
    while i < len(glob):
        if glob.startswith("**/", i):
            out.append("(?:[^/]*/)*")
            i += 3
        elif glob.startswith("**", i):
            out.append(".*")
            i += 2
        elif glob[i] == "*":
            out.append("[^/]*")
            i += 1
        elif glob[i] == "?":
            out.append("[^/]")
            i += 1
        elif glob[i] == "[" and "]" in glob[i + 2:]:
            end = glob.index("]", i + 2)
            body = glob[i + 1:end]
            body = "^" + body[1:] if body.startswith("!") else body
            out.append(f"[{body.replace(chr(92), chr(92) * 2)}]")
            i = end + 1
        else:
            out.append(re.escape(glob[i]))
            i += 1
    return re.compile("".join(out) + r"\Z", re.DOTALL)


def _site_regex(glob: str) -> re.Pattern[str]:
    return re.compile(fnmatch.translate(glob.casefold()), re.DOTALL)


def _path_forms(source_path: str, cwd: Path) -> tuple[str, str, str]:
    """(file name, path relative to ``cwd`` when under it else as given, absolute path), all with ``/``."""
    absolute = Path(os.path.abspath(source_path))
    try:
        relative = absolute.relative_to(cwd).as_posix()
    except ValueError:
        relative = Path(source_path).as_posix()
    return absolute.name, relative, absolute.as_posix()


def _path_matcher(glob: str) -> tuple[int, re.Pattern[str]]:
    """Which form of the path (0 name, 1 relative, 2 absolute) a glob is matched against, and its regex."""
    if glob.startswith("/"):
        return 2, path_glob_regex(glob)
    if "/" not in glob:
        return 0, path_glob_regex(glob)
    return 1, path_glob_regex(glob.removeprefix("./"))


@dataclass(frozen=True)
class CompiledIgnores:
    """The two tables compiled: per glob, its regex and the rule codes its selectors pick."""

    sites: tuple[tuple[re.Pattern[str], frozenset[str]], ...]
    paths: tuple[tuple[int, re.Pattern[str], frozenset[str]], ...]
    cwd: str

    def __bool__(self) -> bool:
        return bool(self.sites or self.paths)

    def drop(self, findings: pd.DataFrame) -> pd.DataFrame:
        """``findings`` without the rows an entry ignores (the frame itself when none is ignored)."""
        if findings.empty or not self:
            return findings
        rules = findings["rule"].to_numpy(dtype=object)
        dropped = np.zeros(len(findings), dtype=bool)
        if self.sites:
            codes, sites = pd.factorize(findings["site"], use_na_sentinel=True)
            folded = [str(site).casefold() for site in sites]
            for regex, picked in self.sites:
                hit = np.array([regex.match(site) is not None for site in folded] + [False], dtype=bool)
                dropped |= hit[codes] & np.isin(rules, list(picked))
        if self.paths:
            codes, paths = pd.factorize(findings["source_path"], use_na_sentinel=True)
            cwd = Path(self.cwd)
            forms = [_path_forms(str(path), cwd) for path in paths]
            for form, regex, picked in self.paths:
                hit = np.array([regex.match(f[form]) is not None for f in forms] + [False], dtype=bool)
                dropped |= hit[codes] & np.isin(rules, list(picked))
        return findings[~dropped] if dropped.any() else findings


NO_IGNORES = CompiledIgnores((), (), "")


def _codes_for(selectors: Iterable[str], rules: Iterable[tuple[str, str, str]]) -> frozenset[str]:
    """Codes of the (code, name, family) rules any selector picks (same meaning as ``ignore``)."""
    return frozenset(code for code, name, family in rules for s in selectors
                     if s in (code, name, family) or (s.isupper() and code.startswith(s)))


def known_rules(ruleset: Iterable[RuleSpec]) -> list[tuple[str, str, str]]:
    """(code, name, family) of every rule in ``ruleset`` and of every input check (``schema`` family)."""
    from qc.schemas import SCHEMA_CHECKS

    rules = [(r.code, r.name, r.family) for r in ruleset]
    return rules + [(c.code, c.name, "schema") for c in SCHEMA_CHECKS.values()]


def check_selectors(table: dict[str, list[str]], key: str, rules: list[tuple[str, str, str]],
                    source: str | None) -> None:
    """Every selector of a per-site/per-path table must pick a rule; the error suggests the closest one."""
    from qc.config import did_you_mean

    words = sorted({w for rule in rules for w in rule})
    for glob, selectors in table.items():
        for selector in selectors:
            if not _codes_for([selector], rules):
                raise ConfigError(f"selector {selector!r} matches no rule{did_you_mean(selector, words)} "
                                  "(use a code, code prefix, family or name)",
                                  path=source, field=f"{key}.{glob}")


def compile_ignores(per_site: dict[str, list[str]], per_path: dict[str, list[str]],
                    ruleset: Iterable[RuleSpec], cwd: Path | None = None) -> CompiledIgnores:
    """Compile the tables against the run's rules (and input checks), with paths relative to ``cwd``."""
    if not per_site and not per_path:
        return NO_IGNORES
    rules = known_rules(ruleset)
    sites = tuple((_site_regex(glob), _codes_for(sel, rules)) for glob, sel in per_site.items())
    paths = tuple((*_path_matcher(glob), _codes_for(sel, rules)) for glob, sel in per_path.items())
    return CompiledIgnores(sites, paths, str((cwd or Path.cwd()).resolve()))
