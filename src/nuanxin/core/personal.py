"""A person's rights over their data (PIPL arts. 45 and 47): a copy of everything held about
them, and erasure by anonymisation.

Each app that holds personal data offers a ``personal.py`` with
``export(user) -> list[PersonalTable]`` (the rows it holds about the user, in clear: it is their
own data) and ``erase(user) -> int`` (what it forgot; called inside the erasure's transaction).
``personal_erase`` calls them in reverse app order, so the feature apps forget first and the
account itself last.

Erasure anonymises: names, phone and ID numbers, contact details, tokens and codes go; the
rows that statistics and the points ledger add up (reports, visits, ledger entries, orders,
volunteer hours) stay, pointing at an account that no longer names anyone. So every total,
``nuanxin points check`` and ``nuanxin store check`` come out the same after an erasure.
"""

import datetime as dt
import io
import json
from dataclasses import dataclass, field
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from nuanxin.core.audit import audit_record
from nuanxin.core.discovery import app_modules
from nuanxin.core.errors import forbidden
from nuanxin.core.xlsx import cell_value


@dataclass
class PersonalTable:
    key: str
    title: str
    rows: list[dict[str, Any]] = field(default_factory=list)


def _plain(value: Any) -> Any:
    if isinstance(value, dt.datetime):
        return (
            timezone.localtime(value).isoformat() if timezone.is_aware(value) else value.isoformat()
        )
    if isinstance(value, dt.date | dt.time):
        return value.isoformat()
    if value is None or isinstance(value, bool | int | float | str | list | dict):
        return value
    return str(value)


def personal_export(user: Any) -> list[PersonalTable]:
    """Every app's tables about ``user``, values made JSON-safe."""
    tables: list[PersonalTable] = []
    for _label, module in app_modules("personal"):
        provider = getattr(module, "export", None)
        if provider is None:
            continue
        for table in provider(user):
            table.rows = [{k: _plain(v) for k, v in row.items()} for row in table.rows]
            tables.append(table)
    return tables


def personal_export_audited(*, user: Any, kind: str) -> list[PersonalTable]:
    """The export a person downloads of their own data; the download is in the audit log."""
    audit_record(actor=user, action="personal.export", obj=user, after={"format": kind})
    return personal_export(user)


def personal_export_json(tables: list[PersonalTable]) -> bytes:
    data = {
        "exported_at": timezone.localtime().isoformat(),
        "tables": {t.key: {"title": str(t.title), "rows": t.rows} for t in tables},
    }
    return json.dumps(data, ensure_ascii=False, indent=2).encode()


def personal_export_xlsx(tables: list[PersonalTable]) -> bytes:
    """One sheet per table, with the table's column names as the header row."""
    from openpyxl import Workbook

    book = Workbook(write_only=True)
    for table in tables:
        sheet = book.create_sheet(title=str(table.title)[:31])
        columns = list(dict.fromkeys(k for row in table.rows for k in row))
        sheet.append(columns)
        for row in table.rows:
            sheet.append([
                cell_value(json.dumps(v, ensure_ascii=False) if isinstance(v, list | dict) else v)
                for v in (row.get(c) for c in columns)
            ])  # fmt: skip
    if not book.worksheets:
        book.create_sheet(title="-")
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


@transaction.atomic
def personal_erase(*, user: Any, actor: Any) -> dict[str, int]:
    """Anonymise ``user`` everywhere (see the module's note); returns what each app forgot.

    The audit row names the account by id only: it must not keep what was just erased.
    Staff accounts are closed by an administrator, not erased: their decisions stay signed.
    Raises personal.workers_only.
    """
    if not getattr(user, "is_worker", False):
        raise forbidden("personal.workers_only", _("只有劳动者账号可以自行注销并删除个人信息。"))
    forgotten: dict[str, int] = {}
    for label, module in reversed(app_modules("personal")):
        eraser = getattr(module, "erase", None)
        if eraser is not None:
            forgotten[label] = eraser(user)
    audit_record(actor=actor, action="personal.erase", obj=user, after={"forgotten": forgotten})
    return forgotten
