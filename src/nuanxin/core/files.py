"""Files written beside a database transaction.

A file cannot roll back with the rows that name it, so every upload follows the same two rules:
a file written inside a transaction is removed again when the transaction fails, and a file the
transaction stops using is removed only after it commits (a rolled-back change still finds its
old file). Names are random, so nobody can guess where a file lies.
"""

import uuid
from collections.abc import Iterator
from contextlib import contextmanager

from django.core.files.base import ContentFile
from django.core.files.storage import Storage, default_storage
from django.db import transaction
from django.db.models.fields.files import FieldFile


def unguessable_name(extension: str, prefix: str = "") -> str:
    return f"{prefix}{uuid.uuid4().hex}{extension}"


class WrittenFiles:
    """The files one transaction has written so far (see ``removed_unless_committed``)."""

    def __init__(self) -> None:
        self.written: list[tuple[Storage, str]] = []

    def save(self, name: str, data: bytes, storage: Storage = default_storage) -> str:
        saved = storage.save(name, ContentFile(data))
        self.written.append((storage, saved))
        return saved

    def save_to(self, field: FieldFile, extension: str, data: bytes) -> str:
        """Fill a model's file field (not yet saved) with ``data`` under a random name."""
        field.save(unguessable_name(extension), ContentFile(data), save=False)
        self.written.append((field.storage, field.name))
        return field.name

    def remove(self) -> None:
        for storage, name in self.written:
            storage.delete(name)
        self.written.clear()


@contextmanager
def removed_unless_committed() -> Iterator[WrittenFiles]:
    """Wrap the transaction that writes files: if the block raises, what it wrote is deleted."""
    files = WrittenFiles()
    try:
        yield files
    except BaseException:
        files.remove()
        raise


def delete_after_commit(storage: Storage, *names: str) -> None:
    """Remove files the current transaction no longer refers to, once it has committed."""
    gone = [name for name in names if name]
    if gone:
        transaction.on_commit(lambda: [storage.delete(name) for name in gone])
