"""Builders for the party tests: organisations, party members, party-work staff."""

import datetime as dt
import itertools

from django.contrib.auth.models import Permission

from nuanxin.accounts.models import Role, User
from nuanxin.party import services
from nuanxin.party.models import Attachment, OrgKind
from nuanxin.registry.models import PoliticalStatus
from tests.factories import UserFactory, staff
from tests.registry.factories import make_enterprise, make_worker

_n = itertools.count(1)
FOUNDED = dt.date(2020, 9, 1)


def org(region, *, name=None, kind=OrgKind.BRANCH, attachment=Attachment.REGION, **fields):
    return services.organisation_create(
        actor=None,
        name=name or f"测试党支部{next(_n)}",
        kind=kind,
        attachment=attachment,
        region=region,
        founded_on=fields.pop("founded_on", FOUNDED),
        **fields,
    )


def member(region, *, status=PoliticalStatus.PARTY_MEMBER, user=None, **fields):
    worker = make_worker(region, political_status=status, **fields)
    if user is not None:
        type(worker).objects.filter(pk=worker.pk).update(user=user)
        worker.refresh_from_db()
    return worker


def party_staff(region, role=Role.COUNTY_ADMIN) -> User:
    user = staff(role, region)
    user.user_permissions.add(Permission.objects.get(codename="party_work"))
    return User.objects.get(pk=user.pk)


def worker_account(region) -> User:
    return UserFactory(role=Role.WORKER, region=region)


__all__ = ["FOUNDED", "make_enterprise", "member", "org", "party_staff", "worker_account"]
