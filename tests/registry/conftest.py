import pytest
from django.conf import settings
from django.utils import translation

from tests.registry.factories import build_city


@pytest.fixture
def city(db):
    return build_city()


@pytest.fixture(autouse=True)
def _chinese(request):
    """Messages are asserted in Chinese; a test client request in English leaves English active
    in the thread, so every test starts in the default language."""
    translation.activate(settings.LANGUAGE_CODE)
    yield
    translation.activate(settings.LANGUAGE_CODE)
