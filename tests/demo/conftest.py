import io

import pytest
from django.db import transaction

from nuanxin.demo.loader import load_demo


@pytest.fixture(scope="package")
def demo_city(django_db_setup, django_db_blocker):
    """The whole demo city, loaded once for the tests of this package.

    It lives in a transaction that is rolled back at the end, so the database is as empty
    afterwards as before (data installed by migrations included); each test's own changes are
    rolled back to a savepoint inside it.
    """
    with django_db_blocker.unblock():
        outer = transaction.atomic()
        outer.__enter__()
        try:
            yield load_demo(io.StringIO())
        finally:
            transaction.set_rollback(True)
            outer.__exit__(None, None, None)
