import pytest
from django.conf import settings
from django.utils import translation

from nuanxin.accounts.models import Role
from nuanxin.stations.services import amenity_defaults_ensure
from tests.factories import UserFactory


@pytest.fixture
def amenities(db):
    """The default amenity list (a data migration seeds it too, but flushes between
    transactional tests remove migration data)."""
    amenity_defaults_ensure()


@pytest.fixture
def keeper(db):
    return UserFactory(role=Role.STATION_KEEPER, name="驿站管理员")


@pytest.fixture
def worker(db):
    return UserFactory(role=Role.WORKER, name="骑手小李")


@pytest.fixture(autouse=True)
def _default_language():
    """Pages in English activate it for the thread; labels asserted here are Chinese."""
    with translation.override(settings.LANGUAGE_CODE):
        yield
