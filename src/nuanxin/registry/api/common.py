"""Shared by the registry API modules: the router, access checks, lookups."""

from typing import Any

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Router, Schema

from nuanxin.core.errors import ApplicationError, forbidden
from nuanxin.core.schema import IdParam
from nuanxin.core.scoping import require_staff
from nuanxin.geo.models import Region
from nuanxin.registry.access import (
    enterprise_in_reach,
    enterprises_for,
    may_use_registry,
    worker_in_reach,
)
from nuanxin.registry.models import (
    Enterprise,
    Worker,
)
from nuanxin.registry.selectors import (
    EnterpriseFilter,
    WorkerFilter,
    region_for,
)

router = Router(tags=["台账"])


def api_user(request: HttpRequest) -> Any:
    user = request.auth
    if not may_use_registry(user):
        raise forbidden("registry.not_allowed", _("您无权使用台账。"))
    return user


def api_staff(request: HttpRequest) -> Any:
    user = api_user(request)
    require_staff(user, governing=True)
    return user


class EnterpriseQuery(Schema):
    region: str | None = None
    q: str = ""
    kind: str = ""
    industry: str = ""
    status: str = ""
    brand: str = ""
    registered: bool | None = None

    def filters(self, user: Any) -> EnterpriseFilter:
        data = self.dict()
        data["region"] = region_for(user, self.region)
        return EnterpriseFilter(**data)


class WorkerQuery(Schema):
    region: str | None = None
    q: str = ""
    occupation: str = ""
    political_status: str = ""
    party_member: bool | None = None
    status: str = ""
    enterprise_id: IdParam | None = None
    union_member: bool | None = None
    registered: bool | None = None

    def filters(self, user: Any) -> WorkerFilter:
        data = self.dict()
        data["region"] = region_for(user, self.region)
        return WorkerFilter(**data)


def region_by_code(code: str | None, field: str) -> Region | None:
    if not code:
        return None
    region = Region.objects.filter(code=code).first()
    if region is None:
        raise ApplicationError(
            "registry.unknown_region", _("区域不存在。"), extra={"field": field, "code": code}
        )
    return region


def community_by_code(code: str) -> Region:
    """The community a registration goes to: required (an empty code is not "none")."""
    region = region_by_code(code.strip(), "community_code")
    if region is None:
        raise ApplicationError(
            "registry.required", _("请选择报到的社区。"), extra={"field": "community_code"}
        )
    return region


def enterprise_for(user: Any, pk: int) -> Enterprise:
    return enterprise_in_reach(user, pk)


def worker_for(user: Any, pk: int) -> Worker:
    return worker_in_reach(user, pk)


def enterprises_by_ids(user: Any, ids: list[int]) -> list[Enterprise]:
    found = list(enterprises_for(user).filter(pk__in=ids)) if ids else []
    if len(found) != len(set(ids)):
        raise ApplicationError(
            "registry.unknown_enterprise", _("所选企业不存在或不在您的范围内。"),
            extra={"field": "enterprise_ids"},
        )  # fmt: skip
    return found


def worker_region_args(data: dict[str, Any]) -> dict[str, Any]:
    for key in ("home_region", "work_region"):
        if f"{key}_code" in data:
            data[key] = region_by_code(data.pop(f"{key}_code"), f"{key}_code")
    return data
