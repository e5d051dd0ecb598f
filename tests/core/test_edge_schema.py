"""Every number and date any API operation accepts is one of core.schema's strict, bounded
types: a new endpoint with a plain ``int`` fails here before it can take 2**63 or "100"."""

import datetime as dt
import types
import typing
from decimal import Decimal
from enum import Enum

import annotated_types
import pytest
from pydantic import BaseModel, Strict
from pydantic.fields import FieldInfo

from nuanxin.api import api
from nuanxin.core.schema import JSON, PARAM, Edge

CHECKED = (int, float, Decimal, dt.date, dt.datetime, dt.time)
SOURCE_KIND = {"body": JSON, "query": PARAM, "path": PARAM, "form": PARAM}


def _router_operations(prefix, router):
    for path, path_view in router.path_operations.items():
        for operation in path_view.operations:
            for method in operation.methods:
                yield f"{method} /api/v1{prefix}{path}".replace("//", "/"), operation
    for child_prefix, child, _tags in router._routers:
        yield from _router_operations(prefix + child_prefix, child)


def _operations():
    for prefix, router in api._routers:
        yield from _router_operations(prefix, router)


def _leaves(annotation, metadata, where):
    """(type, metadata, location) of every number, date or time inside ``annotation``."""
    origin = typing.get_origin(annotation)
    if origin is typing.Annotated:
        base, *extra = typing.get_args(annotation)
        # Field(ge=..) inside Annotated stays a FieldInfo; its constraints are its metadata.
        flat = [m for e in extra for m in (e.metadata if isinstance(e, FieldInfo) else [e])]
        yield from _leaves(base, (*metadata, *flat), where)
    elif origin in (typing.Union, types.UnionType):
        for arg in typing.get_args(annotation):
            if arg is not type(None):
                yield from _leaves(arg, metadata, where)
    elif origin in (list, set, tuple, dict):
        # The container's own metadata (its length) says nothing about the items.
        for arg in typing.get_args(annotation):
            yield from _leaves(arg, (), f"{where}[]")
    elif isinstance(annotation, type) and issubclass(annotation, BaseModel):
        for name, field in annotation.model_fields.items():
            yield from _leaves(field.annotation, tuple(field.metadata), f"{where}.{name}")
    elif (
        isinstance(annotation, type)
        and issubclass(annotation, CHECKED)
        and not issubclass(annotation, bool | Enum)
    ):
        yield annotation, metadata, where


def _problems(kind, metadata, source):
    edge = [m for m in metadata if isinstance(m, Edge)]
    wanted = SOURCE_KIND[source]
    if wanted not in edge:
        return [f"not a core.schema type for {source} input"]
    problems = []
    if kind in (int, float, Decimal):
        if not any(isinstance(m, annotated_types.Ge | annotated_types.Gt) for m in metadata):
            problems.append("no lower bound")
        if not any(isinstance(m, annotated_types.Le | annotated_types.Lt) for m in metadata):
            problems.append("no upper bound")
    if (
        kind in (int, float)
        and source == "body"
        and not any(isinstance(m, Strict) for m in metadata)
    ):
        problems.append("not strict")
    return problems


def test_every_number_and_date_of_every_operation_is_strict_and_bounded():
    failures = []
    count = 0
    for name, operation in _operations():
        count += 1
        for model in operation.models:
            source = model.__ninja_param_source__
            if source not in SOURCE_KIND:
                continue
            for field_name, field in model.model_fields.items():
                for kind, metadata, where in _leaves(
                    field.annotation, tuple(field.metadata), f"{source}:{field_name}"
                ):
                    failures += [
                        f"{name} {where} ({kind.__name__}): {problem}"
                        for problem in _problems(kind, metadata, source)
                    ]
    assert count > 100, "the walk found the API's operations"
    assert failures == [], "\n".join(failures)


@pytest.mark.parametrize("source", ["body", "query"])
def test_the_walk_catches_a_plain_int(source):
    class Loose(BaseModel):
        amount: int

    leaves = list(_leaves(Loose, (), "x"))
    assert [(kind, where) for kind, _m, where in leaves] == [(int, "x.amount")]
    assert _problems(int, leaves[0][1], source)
