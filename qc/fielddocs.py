"""Field descriptions from attribute docstrings, read only when something shows them.

Rule specs (:mod:`qc.rulespec`, the kinds' ``Spec`` classes, :mod:`qc.region`) and :class:`qc.config.Config`
describe each key by a docstring under it. pydantic's ``use_attribute_docstrings`` reads those by parsing
every model's source at import, about 0.2 s of a one-document ``qc check`` that never shows one; so the
models leave it off and whatever prints descriptions (rule docs, JSON Schemas, ``qc rules new``) calls
:func:`documented` first. The descriptions are the same either way.
"""

from __future__ import annotations

import ast
import inspect
import itertools
import textwrap
from typing import TypeVar

from pydantic import BaseModel
from pydantic.fields import FieldInfo

ModelT = TypeVar("ModelT", bound=type[BaseModel])

_done: set[type[BaseModel]] = set()


def attribute_docstrings(cls: type) -> dict[str, str]:
    """``{attribute: docstring}`` for the string literals right under an annotated attribute of ``cls``'s
    own body (not its bases), as pydantic's ``use_attribute_docstrings`` reads them."""
    try:
        source = textwrap.dedent(inspect.getsource(cls))
    except (OSError, TypeError):  # no source (a frozen build, say): no descriptions, as pydantic would
        return {}
    tree = ast.parse(source)
    body = next((node.body for node in tree.body if isinstance(node, ast.ClassDef)), [])
    docs: dict[str, str] = {}
    for node, after in itertools.pairwise(body):
        if (isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name)
                and isinstance(after, ast.Expr) and isinstance(after.value, ast.Constant)
                and isinstance(after.value.value, str)):
            docs[node.target.id] = inspect.cleandoc(after.value.value)
    return docs


def documented(model: ModelT) -> ModelT:
    """``model`` with each field's description set from its attribute docstring (once per class).

    A field keeps an explicit ``Field(description=…)``; an inherited field takes the docstring of the
    nearest class in the MRO that has one. The model's schema is rebuilt so ``model_json_schema`` shows them.
    """
    if model in _done:
        return model
    _done.add(model)
    fields: dict[str, FieldInfo] = model.__pydantic_fields__
    for info in fields.values():  # nested models (Examples in every rule) first: their schema is inlined
        for nested in _models_in(info.annotation):
            documented(nested)
    docs: dict[str, str] = {}
    for klass in reversed(model.__mro__):
        if isinstance(klass, type) and issubclass(klass, BaseModel) and klass is not BaseModel:
            docs.update(attribute_docstrings(klass))
    for name, info in fields.items():
        if info.description is None and name in docs:
            info.description = docs[name]
    model.model_rebuild(force=True)
    return model


def _models_in(annotation: object) -> list[type[BaseModel]]:
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return [annotation]
    return [m for arg in getattr(annotation, "__args__", ()) for m in _models_in(arg)]
