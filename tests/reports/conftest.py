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


@pytest.fixture(autouse=True)
def _default_categories(db):
    """The defaults come from a data migration; a transactional test elsewhere may have
    flushed them, so every test here starts from them again."""
    from django.apps import apps

    from nuanxin.reports.defaults import install_defaults

    install_defaults(apps)
