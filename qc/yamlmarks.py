"""Load YAML into plain Python objects while remembering the line of every key.

PyYAML's composer keeps a mark on every node; we walk the node tree once and record, for each key
path (a tuple of keys and list indexes), the 1-based line where it starts. Rule and config errors use
the map to name the exact line of the offending key.
"""

from __future__ import annotations

from typing import Any

import yaml

KeyPath = tuple[str | int, ...]
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
        return _convert(node, (), lines, scalars), lines
    finally:
        scalars.dispose()


def _convert(node: yaml.Node, key_path: KeyPath, lines: dict[KeyPath, int], scalars: yaml.SafeLoader) -> Any:
    """Turn a composed node into Python data, recording key lines on the way."""
    lines.setdefault(key_path, node.start_mark.line + 1)
    if isinstance(node, yaml.MappingNode):
        out: dict[Any, Any] = {}
        for key_node, value_node in node.value:
            key_value = key_node.value if isinstance(key_node, yaml.ScalarNode) else str(key_node.value)
            child = (*key_path, key_value)
            lines[child] = key_node.start_mark.line + 1
            out[key_value] = _convert(value_node, child, lines, scalars)
        return out
    if isinstance(node, yaml.SequenceNode):
        return [_convert(item, (*key_path, i), lines, scalars) for i, item in enumerate(node.value)]
    return scalars.construct_object(node, deep=True)


def line_for(lines: dict[KeyPath, int], loc: tuple[Any, ...]) -> int | None:
    """Best line for a validation-error location: the deepest recorded prefix of ``loc``."""
    parts = tuple(p for p in loc)
    while parts:
        if parts in lines:
            return lines[parts]
        parts = parts[:-1]
    return lines.get(())
