"""Who may see and change which registry rows.

* Region staff (community, street, county, city) and superusers: everything whose region lies in
  their jurisdiction (``core.scoping``).
* Enterprise liaisons: the enterprises they are bound to (``Enterprise.liaisons``) and the
  workers of those enterprises, nothing else.
* Workers: their own worker record.
* ``actor=None`` is the system itself (the CLI, the demo loader): no restriction.

A row someone may not see answers exactly like a row that does not exist
(``registry.enterprise_not_found``, ``registry.worker_not_found``): detail pages and the API
fetch through ``enterprise_in_reach`` / ``worker_in_reach``, and the services' own checks raise
the same errors.
"""

from typing import Any

from django.db.models import QuerySet
from django.utils.translation import gettext as _

from nuanxin.accounts.models import Role
from nuanxin.core.errors import ApplicationError, forbidden, not_found
from nuanxin.core.scoping import (
    get_in_scope_or_404,
    in_jurisdiction,
    is_governing,
    scope_to_jurisdiction,
)
from nuanxin.registry.models import Enterprise, ImportJob, Worker

# Roles that may export and reveal full phone and ID numbers without an explicit permission.
FULL_NUMBER_ROLES = frozenset({Role.COUNTY_ADMIN, Role.CITY_ADMIN})


def is_liaison(user: Any) -> bool:
    return bool(
        getattr(user, "is_authenticated", False)
        and user.is_active
        and user.role == Role.ENTERPRISE_LIAISON
    )


def may_use_registry(user: Any) -> bool:
    return is_governing(user) or is_liaison(user)


def liaison_enterprise_ids(user: Any) -> set[int]:
    if not is_liaison(user):
        return set()
    cached = getattr(user, "_registry_liaison_ids", None)
    if cached is None:
        cached = set(user.liaison_enterprises.values_list("id", flat=True))
        user._registry_liaison_ids = cached
    return cached


def may_see_full_numbers(user: Any) -> bool:
    """County and city admins, superusers and holders of ``registry.view_full_numbers``."""
    if not is_governing(user):
        return False
    return (
        user.is_superuser
        or user.role in FULL_NUMBER_ROLES
        or user.has_perm("registry.view_full_numbers")
    )


def enterprises_for(user: Any) -> QuerySet[Enterprise]:
    qs = Enterprise.objects.all()
    if is_liaison(user):
        return qs.filter(id__in=liaison_enterprise_ids(user))
    return scope_to_jurisdiction(qs, user)


def workers_for(user: Any) -> QuerySet[Worker]:
    qs = Worker.objects.all()
    if is_liaison(user):
        ids = liaison_enterprise_ids(user)
        return qs.filter(
            id__in=Worker.enterprises.through.objects.filter(enterprise_id__in=ids).values(
                "worker_id"
            )
        )
    return scope_to_jurisdiction(qs, user)


def _not_allowed() -> Exception:
    return forbidden("registry.not_allowed", _("您无权查看或修改该台账记录。"))


def enterprise_missing() -> ApplicationError:
    return not_found("registry.enterprise_not_found", _("企业不存在。"))


def worker_missing() -> ApplicationError:
    return not_found("registry.worker_not_found", _("从业人员不存在。"))


def registration_missing() -> ApplicationError:
    return not_found("registry.registration_not_found", _("报到记录不存在。"))


def campaign_missing() -> ApplicationError:
    return not_found("registry.campaign_not_found", _("三找行动不存在。"))


def import_missing() -> ApplicationError:
    return not_found("registry.import_not_found", _("导入记录不存在。"))


def enterprise_in_reach(user: Any, pk: int) -> Enterprise:
    """One enterprise the user may see; another one is "not found", like a missing one."""
    qs = enterprises_for(user).select_related("region")
    return get_in_scope_or_404(qs, enterprise_missing(), pk=pk)


def worker_in_reach(user: Any, pk: int) -> Worker:
    """One worker record the user may see (staff, liaisons, the worker their own)."""
    qs = Worker.objects.all() if user is None else workers_for(user)
    if user is not None and not may_use_registry(user):
        qs = Worker.objects.filter(user_id=getattr(user, "pk", None))
    qs = qs.select_related("region", "home_region", "work_region", "user")
    return get_in_scope_or_404(qs.prefetch_related("enterprises"), worker_missing(), pk=pk)


def import_in_reach(user: Any, pk: int) -> ImportJob:
    """One of the user's own imports (a superuser sees all); another's is not found."""
    qs = ImportJob.objects.select_related("campaign")
    if not getattr(user, "is_superuser", False):
        qs = qs.filter(created_by_id=getattr(user, "pk", None), created_by__isnull=False)
    return get_in_scope_or_404(qs, import_missing(), pk=pk)


def require_enterprise_access(user: Any, enterprise: Enterprise) -> None:
    if user is None:
        return
    if is_liaison(user):
        if enterprise.pk not in liaison_enterprise_ids(user):
            raise enterprise_missing()
        return
    if not is_governing(user) or not in_jurisdiction(user, enterprise.region):
        raise enterprise_missing()


def require_worker_access(user: Any, worker: Worker, *, write: bool = False) -> None:
    """Staff in jurisdiction and the worker's liaisons may read and write; the worker reads."""
    if user is None:
        return
    if is_liaison(user):
        theirs = liaison_enterprise_ids(user)
        if not theirs.intersection(worker.enterprises.values_list("id", flat=True)):
            raise worker_missing()
        return
    own = worker.user_id is not None and worker.user_id == getattr(user, "pk", None)
    if own and not write:
        return
    if not is_governing(user):
        raise worker_missing() if not own else _not_allowed()
    if not in_jurisdiction(user, worker.region):
        raise worker_missing()
