"""The read-replica router and the scale-out settings, without the servers (the whole
deployment runs in tests/scaleout/test_multi_server.py): which reads may go to the replica,
and what DATABASE_POOLER, DATABASE_REPLICA_URL, REDIS_URL and MEDIA_S3_BUCKET set."""

import importlib
from types import SimpleNamespace

import pytest
from django.db import transaction

from nuanxin.accounts.models import User
from nuanxin.core.replica import REPLICA, ReplicaRouter, replica_reads, replica_reads_allowed
from nuanxin.points.models import Entry
from nuanxin.reports.models import Report

router = ReplicaRouter()


def test_replica__reads_outside_a_dashboard_request_use_the_primary():
    assert router.db_for_read(Report) == "default"


# The tests' own transaction would send every read to the primary: these run outside one.
@pytest.mark.django_db(transaction=True)
def test_replica__a_dashboard_request_reads_figures_from_the_replica():
    with replica_reads():
        assert router.db_for_read(Report) == REPLICA
        assert router.db_for_read(Entry) == REPLICA


@pytest.mark.django_db
def test_replica__who_the_user_is_is_always_read_from_the_primary():
    from django.contrib.sessions.models import Session

    with replica_reads():
        assert router.db_for_read(User) == "default"
        assert router.db_for_read(Session) == "default"


@pytest.mark.django_db(transaction=True)
def test_replica__reads_inside_a_transaction_use_the_primary():
    with replica_reads():
        with transaction.atomic():
            assert router.db_for_read(Report) == "default"
        assert router.db_for_read(Report) == REPLICA


@pytest.mark.django_db(transaction=True)
def test_replica__after_a_write_the_request_reads_the_primary():
    with replica_reads():
        assert router.db_for_write(Report) == "default"
        assert router.db_for_read(Report) == "default"
    with replica_reads():  # the next request starts afresh
        assert router.db_for_read(Report) == REPLICA


def test_replica__writes_and_migrations_go_to_the_primary_only():
    assert router.db_for_write(Report) == "default"
    assert router.allow_migrate("default", "reports")
    assert not router.allow_migrate(REPLICA, "reports")


def test_replica__only_the_configured_paths_and_only_with_a_replica(monkeypatch):
    from django.conf import settings

    assert not replica_reads_allowed("/api/v1/dashboard/figures")  # no replica configured
    configured = SimpleNamespace(
        DATABASES={"default": {}, REPLICA: {}}, REPLICA_READ_PATHS=settings.REPLICA_READ_PATHS
    )
    monkeypatch.setattr("nuanxin.core.replica.settings", configured)
    assert replica_reads_allowed("/api/v1/dashboard/figures")
    assert replica_reads_allowed("/dashboard/export/regions.xlsx")
    assert not replica_reads_allowed("/api/v1/points/balance")
    assert not replica_reads_allowed("/registry/workers.xlsx")


@pytest.fixture
def reloaded(monkeypatch):
    """The settings module read again with the environment given."""
    import nuanxin.settings as project_settings

    def read(**env: str):
        for name, value in env.items():
            monkeypatch.setenv(name, value)
        return importlib.reload(project_settings)

    yield read
    monkeypatch.undo()
    importlib.reload(project_settings)


def test_settings__behind_pgbouncer_no_server_side_cursors_or_prepared_statements(reloaded):
    loaded = reloaded(
        DATABASE_URL="postgres://app:pw@127.0.0.1:6432/nuanxin",
        DATABASE_REPLICA_URL="postgres://app:pw@127.0.0.1:6432/nuanxin_replica",
        DATABASE_POOLER="pgbouncer",
    )
    for alias in ("default", REPLICA):
        database = loaded.DATABASES[alias]
        assert database["DISABLE_SERVER_SIDE_CURSORS"] is True
        assert database["OPTIONS"]["prepare_threshold"] is None
    assert loaded.DATABASES[REPLICA]["NAME"] == "nuanxin_replica"
    assert loaded.DATABASES[REPLICA]["TEST"] == {"MIRROR": "default"}
    assert loaded.DATABASE_ROUTERS == ["nuanxin.core.replica.ReplicaRouter"]
    assert loaded.MIDDLEWARE[0] == "nuanxin.core.replica.ReplicaReadsMiddleware"


def test_settings__without_a_pooler_postgres_keeps_its_defaults(reloaded):
    loaded = reloaded(DATABASE_URL="postgres://app:pw@127.0.0.1:5432/nuanxin")
    assert loaded.DATABASES["default"]["DISABLE_SERVER_SIDE_CURSORS"] is False
    assert "prepare_threshold" not in loaded.DATABASES["default"].get("OPTIONS", {})
    assert REPLICA not in loaded.DATABASES
    assert "nuanxin.core.replica.ReplicaReadsMiddleware" not in loaded.MIDDLEWARE


def test_settings__an_unknown_pooler_is_refused(reloaded):
    with pytest.raises(ValueError, match="DATABASE_POOLER"):
        reloaded(DATABASE_POOLER="pgpool")


def test_settings__redis_holds_cache_and_sessions(reloaded):
    loaded = reloaded(REDIS_URL="redis://127.0.0.1:6379/3", REDIS_KEY_PREFIX="city")
    assert loaded.CACHES["default"]["BACKEND"] == "django.core.cache.backends.redis.RedisCache"
    assert loaded.CACHES["default"]["KEY_PREFIX"] == "city"
    assert loaded.SESSION_ENGINE == "django.contrib.sessions.backends.cached_db"


def test_settings__a_bucket_puts_uploads_on_object_storage(reloaded):
    loaded = reloaded(
        MEDIA_S3_BUCKET="media",
        MEDIA_S3_ENDPOINT_URL="http://127.0.0.1:9000",
        MEDIA_S3_ADDRESSING_STYLE="path",
    )
    storage = loaded.STORAGES["default"]
    assert storage["BACKEND"] == "nuanxin.core.storage.MediaS3Storage"
    assert storage["OPTIONS"]["bucket_name"] == "media"
    assert storage["OPTIONS"]["endpoint_url"] == "http://127.0.0.1:9000"
    assert "access_key" not in storage["OPTIONS"]  # boto3's own chain


def test_storage__files_are_addressed_under_the_site_not_the_bucket(settings):
    from nuanxin.core.storage import MediaS3Storage

    storage = MediaS3Storage(bucket_name="media", endpoint_url="http://127.0.0.1:9000")
    assert storage.url("stations/ab cd.jpg") == "/media/stations/ab%20cd.jpg"
