"""Load YAML into plain Python objects while remembering the line of every key.

PyYAML's composer keeps a mark on every node; we walk the node tree once and record, for each key
path (a tuple of keys and list indexes), the 1-based line where it starts. Rule and config errors use
the map to name the exact line of the offending key.

Anchors and aliases (``&name`` / ``*name``) are refused: a rule never needs them, and an alias makes the
composed tree a graph, so a recursive alias (``&a [*a]``) recurses without end and a "billion laughs"
ladder of aliases expands a few hundred bytes into gigabytes. The walk below meets an aliased node a second
time and stops there, before expanding anything; the error names the line of the first alias. Nesting is
bounded too (:data:`MAX_DEPTH`: libyaml allows 1,000 levels, more than Python's recursion limit lets the
walk follow).
"""

from __future__ import annotations

from typing import Any

import yaml

KeyPath = tuple[str | int, ...]
#: Deepest nesting of lists and mappings accepted (a rule file uses three or four levels).
MAX_DEPTH = 64
_PLAIN_TAGS = frozenset({"tag:yaml.org,2002:seq", "tag:yaml.org,2002:map"})
# libyaml's composer when PyYAML was built with it (its nodes carry the same marks): several times faster.
_COMPOSER: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def load_with_lines(text: str, path: str) -> tuple[Any, dict[KeyPath, int]]:
    """Parse ``text`` and return ``(data, lines)`` where ``lines`` maps key paths to 1-based lines."""
    from qc.errors import RuleSpecError

    try:
        node = yaml.compose(text, Loader=_COMPOSER)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = mark.line + 1 if mark is not None else None
        problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
        raise RuleSpecError(f"YAML syntax error: {problem}", path=path, line=line) from None
    lines: dict[KeyPath, int] = {}
    if node is None:
        return None, lines
    # Scalars are resolved by the safe constructor (ints, bools, nulls exactly as yaml.safe_load would):
    # one constructor for the whole file.
    scalars = yaml.SafeLoader("")
    try:
        return _convert(node, (), lines, scalars, set()), lines
    except _AliasFound:
        raise RuleSpecError("YAML anchors and aliases (&name, *name) are not allowed in rule files: write the "
                            "value out", path=path, line=_first_alias_line(text)) from None
    except _Refused as exc:
        raise RuleSpecError(exc.reason, path=path, line=exc.line) from None
    except yaml.YAMLError as exc:  # a tag the safe constructor refuses (!!python/object, !custom, bad !!binary)
        mark = getattr(exc, "problem_mark", None)
        problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
        raise RuleSpecError(f"YAML error: {problem}", path=path,
                            line=mark.line + 1 if mark is not None else None) from None
    finally:
        scalars.dispose()


class _AliasFound(Exception):
    """A node was reached twice: the document uses an alias."""


class _Refused(Exception):
    """A structure no rule file has: a list or mapping as a key, nesting past :data:`MAX_DEPTH`."""

    def __init__(self, reason: str, line: int) -> None:
        super().__init__(reason, line)
        self.reason = reason
        self.line = line


def _first_alias_line(text: str) -> int | None:
    """The 1-based line of the first ``*alias`` in ``text`` (parsed again only to name it in the error)."""
    for event in yaml.parse(text, Loader=_COMPOSER):
        if isinstance(event, yaml.AliasEvent) and event.start_mark is not None:
            return int(event.start_mark.line) + 1
    return None


def _convert(node: yaml.Node, key_path: KeyPath, lines: dict[KeyPath, int], scalars: yaml.SafeLoader,
             seen: set[int]) -> Any:
    """Turn a composed node into Python data, recording key lines on the way (``seen``: nodes met so far)."""
    if id(node) in seen:  # the composer hands out the anchored node itself for each alias
        raise _AliasFound
    seen.add(id(node))
    if len(key_path) > MAX_DEPTH:
        raise _Refused(f"nested deeper than {MAX_DEPTH} levels", node.start_mark.line + 1)
    if not isinstance(node, yaml.ScalarNode) and node.tag not in _PLAIN_TAGS:
        # Scalars' tags go through the safe constructor below; a tagged list or mapping would be read as a
        # plain one here, so its tag (``!!python/object/apply:…``) is refused as the constructor would.
        raise _Refused(f"YAML error: could not determine a constructor for the tag {node.tag!r}",
                       node.start_mark.line + 1)
    lines.setdefault(key_path, node.start_mark.line + 1)
    if isinstance(node, yaml.MappingNode):
        out: dict[Any, Any] = {}
        for key_node, value_node in node.value:
            if not isinstance(key_node, yaml.ScalarNode):
                raise _Refused("a key must be a plain scalar, not a list or a mapping", key_node.start_mark.line + 1)
            if id(key_node) in seen:
                raise _AliasFound
            seen.add(id(key_node))
            key_value = key_node.value
            child = (*key_path, key_value)
            lines[child] = key_node.start_mark.line + 1
            out[key_value] = _convert(value_node, child, lines, scalars, seen)
        return out
    if isinstance(node, yaml.SequenceNode):
        return [_convert(item, (*key_path, i), lines, scalars, seen) for i, item in enumerate(node.value)]
    return scalars.construct_object(node, deep=True)


def line_for(lines: dict[KeyPath, int], loc: tuple[Any, ...]) -> int | None:
    """Best line for a validation-error location: the deepest recorded prefix of ``loc``."""
    parts = tuple(p for p in loc)
    while parts:
        if parts in lines:
            return lines[parts]
        parts = parts[:-1]
    return lines.get(())
