"""The registry's part of a person's data: their worker record and registrations."""

from typing import Any

from django.utils.translation import gettext as _

from nuanxin.core.personal import PersonalTable
from nuanxin.registry.models import Registration, Worker


def export(user: Any) -> list[PersonalTable]:
    worker = Worker.objects.filter(user=user).select_related("region").first()
    if worker is None:
        return []
    record = {
        "name": worker.name, "phone": worker.phone, "id_number": worker.id_number or "",
        "gender": worker.gender, "birth_year": worker.birth_year,
        "occupation": worker.occupation, "political_status": worker.political_status,
        "union_member": worker.union_member, "status": worker.status,
        "region": worker.region.name,
        "enterprises": [e.name for e in worker.enterprises.all()],
        "created_at": worker.created_at,
    }  # fmt: skip
    registrations = [
        {"community": r.community.name, "status": r.status, "submitted_at": r.submitted_at}
        for r in Registration.objects.filter(worker=worker).select_related("community")
    ]
    return [
        PersonalTable("worker", _("台账记录"), [record]),
        PersonalTable("registrations", _("报到记录"), registrations),
    ]


def erase(user: Any) -> int:
    """Name, phone and ID number go; what the party, union and occupation counts add up (the
    record itself, its region, occupation, political status) stays, naming nobody."""
    from nuanxin.accounts.personal import erased_phone

    worker = Worker.objects.select_for_update().filter(user=user).first()
    if worker is None:
        return 0
    worker.name = _("已注销")
    worker.phone = erased_phone(user)
    worker.id_number = None
    worker.save(
        update_fields=[
            "name", "phone", "phone_hash", "phone_tail", "id_number", "id_number_hash",
            "updated_at",
        ]
    )  # fmt: skip
    return 1
