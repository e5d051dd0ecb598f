"""Change stamps and their log: what changed at each version, and when a cache may patch."""

import pytest
from django.db import transaction

from nuanxin.core import stamps
from nuanxin.core.models import StampChange
from nuanxin.core.stamps import StampedCache, stamp_bump, stamp_changes, stamp_read, stamp_state

pytestmark = pytest.mark.django_db

TOPIC = "stamp-test"


class Recorder:
    """A cache whose value is the list of what happened to it: builds and patched keys."""

    def __init__(self) -> None:
        self.cache: StampedCache[list] = StampedCache(TOPIC, self.build, self.patch)
        StampedCache.instances.remove(self.cache)

    def build(self) -> list:
        return [("build", stamp_read(TOPIC))]

    def patch(self, value: list, keys: frozenset) -> list:
        return [*value, ("patch", sorted(keys))]


def test_a_bump_records_the_keys_changed_at_its_version():
    assert stamp_state(TOPIC) == (0, "")

    assert stamp_bump(TOPIC, keys=[3, 1, 3]) == 1
    assert stamp_bump(TOPIC) == 2

    rows = StampChange.objects.filter(topic=TOPIC).order_by("version")
    assert [(r.version, r.keys) for r in rows] == [(1, [1, 3]), (2, None)]
    version, token = stamp_state(TOPIC)
    assert version == 2 and token == rows[1].token and len(token) == 32


def test_changes_are_the_union_of_the_versions_after_the_one_held():
    stamp_bump(TOPIC, keys=[1])
    held = stamp_state(TOPIC)
    stamp_bump(TOPIC, keys=[2])
    stamp_bump(TOPIC, keys=[2, 5])

    assert stamp_changes(TOPIC, held, stamp_state(TOPIC)) == {2, 5}
    assert stamp_changes(TOPIC, stamp_state(TOPIC), stamp_state(TOPIC)) is None
    assert stamp_changes(TOPIC, (0, ""), stamp_state(TOPIC)) is None


def test_an_everything_change_in_between_gives_no_keys():
    stamp_bump(TOPIC, keys=[1])
    held = stamp_state(TOPIC)
    stamp_bump(TOPIC, keys=None)
    stamp_bump(TOPIC, keys=[2])

    assert stamp_changes(TOPIC, held, stamp_state(TOPIC)) is None


def test_a_missing_version_gives_no_keys():
    stamp_bump(TOPIC, keys=[1])
    held = stamp_state(TOPIC)
    middle = stamp_bump(TOPIC, keys=[2])
    stamp_bump(TOPIC, keys=[3])
    StampChange.objects.filter(topic=TOPIC, version=middle).delete()

    assert stamp_changes(TOPIC, held, stamp_state(TOPIC)) is None


def test_the_log_is_pruned_to_the_last_versions(monkeypatch):
    monkeypatch.setattr(stamps, "STAMP_LOG_KEEP", 10)
    monkeypatch.setattr(stamps, "STAMP_PRUNE_EVERY", 5)
    stamp_bump("other-topic", keys=[1])
    stamp_bump(TOPIC, keys=[0])
    held = stamp_state(TOPIC)

    for key in range(1, 40):
        stamp_bump(TOPIC, keys=[key])
        assert StampChange.objects.filter(topic=TOPIC).count() <= 10 + 5

    assert StampChange.objects.filter(topic="other-topic").count() == 1
    assert stamp_changes(TOPIC, held, stamp_state(TOPIC)) is None
    recent = (37, StampChange.objects.get(topic=TOPIC, version=37).token)
    assert stamp_changes(TOPIC, recent, stamp_state(TOPIC)) == {37, 38, 39}


def test_the_cache_patches_what_the_log_covers_and_builds_otherwise():
    recorder = Recorder()
    stamp_bump(TOPIC, keys=[1])
    assert recorder.cache.get() == [("build", 1)]
    assert recorder.cache.get() is recorder.cache.get()

    stamp_bump(TOPIC, keys=[7])
    stamp_bump(TOPIC, keys=[8])
    assert recorder.cache.get() == [("build", 1), ("patch", [7, 8])]

    stamp_bump(TOPIC, keys=None)
    assert recorder.cache.get() == [("build", 4)]


def test_a_cache_without_patch_always_builds():
    built = []
    cache = StampedCache(TOPIC, lambda: built.append(stamp_read(TOPIC)) or len(built))
    StampedCache.instances.remove(cache)
    stamp_bump(TOPIC, keys=[1])
    cache.get()
    stamp_bump(TOPIC, keys=[2])
    cache.get()

    assert built == [1, 2]


def test_a_value_read_inside_a_rolled_back_transaction_is_not_kept():
    recorder = Recorder()
    stamp_bump(TOPIC, keys=[1])
    recorder.cache.get()

    with pytest.raises(RuntimeError), transaction.atomic():
        stamp_bump(TOPIC, keys=[2])
        assert recorder.cache.get() == [("build", 1), ("patch", [2])]
        raise RuntimeError("rolled back")
    # Rolled back: the stamp is behind the value held, which is dropped.
    assert recorder.cache.get() == [("build", 1)]

    with pytest.raises(RuntimeError), transaction.atomic():
        stamp_bump(TOPIC, keys=[3])
        recorder.cache.get()
        raise RuntimeError("rolled back")
    # The same version number again, committed with other keys: not the value held.
    stamp_bump(TOPIC, keys=[4])
    assert recorder.cache.get() == [("build", 2)]
