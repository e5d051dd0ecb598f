import pytest

from tests.reports import factories as f


@pytest.fixture
def cat(db):
    return f.category()


@pytest.fixture
def reporter(tree):
    return f.worker(tree)


@pytest.fixture
def reviewer(tree):
    return f.community_staff(tree)
