"""Helpers shared by the registry services."""

from collections.abc import Callable
from typing import Any

from django.utils.translation import gettext as _

from nuanxin.core.errors import ApplicationError
from nuanxin.geo.models import Region
from nuanxin.registry.cleaning import FieldProblem


class _Unset:
    """Marks an argument the caller did not pass (None is a meaningful value)."""

    def __repr__(self) -> str:
        return "UNSET"


UNSET: Any = _Unset()


def field_error(field: str, problem: FieldProblem) -> ApplicationError:
    return ApplicationError(problem.code, problem.message, extra={"field": field})


def cleaned(field: str, clean: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
    """``clean(*args, **kwargs)``, with a ``FieldProblem`` turned into an ``ApplicationError``."""
    try:
        return clean(*args, **kwargs)
    except FieldProblem as problem:
        raise field_error(field, problem) from problem


def require_value(field: str, value: Any, message: str) -> None:
    if value is None or value == "":
        raise ApplicationError("registry.required", message, extra={"field": field})


def check_region_level(field: str, region: Region | None, *, min_depth: int = 1) -> None:
    """Registry rows sit at least at county level: "the city" says nothing about where."""
    if region is not None and region.depth < min_depth:
        raise ApplicationError(
            "registry.region_too_coarse",
            _("区域至少要具体到县（市、区）。"),
            extra={"field": field},
        )
