"""Files beside transactions: written files go when the transaction fails, replaced ones only
after it commits, for every app's uploads alike."""

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import transaction

from nuanxin.core.files import delete_after_commit, removed_unless_committed

pytestmark = pytest.mark.django_db(transaction=True)


class Refused(Exception):
    pass


def test_files_written_in_a_failed_transaction_are_removed():
    with pytest.raises(Refused), removed_unless_committed() as files, transaction.atomic():
        first = files.save("t/a.bin", b"a")
        second = files.save("t/b.bin", b"b")
        assert default_storage.exists(first) and default_storage.exists(second)
        raise Refused
    assert not default_storage.exists(first) and not default_storage.exists(second)


def test_files_of_a_committed_transaction_stay():
    with removed_unless_committed() as files, transaction.atomic():
        name = files.save("t/kept.bin", b"k")
    assert default_storage.open(name).read() == b"k"


def test_a_replaced_file_is_removed_only_once_the_change_commits():
    old = default_storage.save("t/old.bin", ContentFile(b"o"))
    with pytest.raises(Refused), transaction.atomic():
        delete_after_commit(default_storage, old)
        raise Refused
    assert default_storage.exists(old)
    with transaction.atomic():
        delete_after_commit(default_storage, old, "")
        assert default_storage.exists(old)
    assert not default_storage.exists(old)
