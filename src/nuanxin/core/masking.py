"""Masking of personal data (PIPL): numbers are shown in full only in the audited detail view."""


def mask_phone(phone: str | None) -> str:
    if not phone:
        return ""
    if len(phone) < 7:
        return "*" * len(phone)
    return f"{phone[:3]}****{phone[-4:]}"


def mask_id_number(number: str | None) -> str:
    if not number:
        return ""
    if len(number) < 8:
        return "*" * len(number)
    return f"{number[:4]}{'*' * (len(number) - 8)}{number[-4:]}"


def mask_name(name: str | None) -> str:
    if not name:
        return ""
    return name[0] + "*" * max(len(name) - 1, 1)
