import pytest

from tests.registry.factories import build_city


@pytest.fixture
def city(db):
    return build_city()
