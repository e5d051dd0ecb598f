import pytest

from tests.points.factories import assert_ledger_clean


@pytest.fixture
def clean_ledger():
    """Reconcile the whole ledger after the test's writes."""
    yield
    assert_ledger_clean()


class Clock:
    """Moves the services' notion of now (django.utils.timezone.now) for expiry and caps."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.monkeypatch = monkeypatch

    def set(self, at) -> None:
        from django.utils import timezone

        self.monkeypatch.setattr(timezone, "now", lambda: at)


@pytest.fixture
def clock(monkeypatch):
    return Clock(monkeypatch)
