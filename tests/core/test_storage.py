"""Uploads on object storage (MEDIA_S3_BUCKET) are addressed and served like local ones: the
public folders are streamed from the storage by the site, the rest stays behind its checks.
Django's in-memory storage stands in for the bucket (the real one, moto's S3 server, is in
tests/scaleout/test_multi_server.py)."""

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage


@pytest.fixture
def object_storage(settings):
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {"BACKEND": "django.core.files.storage.InMemoryStorage"},
    }
    return default_storage


def test_object_storage__a_public_file_is_streamed_from_the_storage(client, object_storage):
    name = object_storage.save("stations/photo.jpg", ContentFile(b"\xff\xd8jpeg"))
    response = client.get(f"/media/{name}")
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == b"\xff\xd8jpeg"
    assert response["Content-Type"] == "image/jpeg"
    assert response["X-Content-Type-Options"] == "nosniff"


def test_object_storage__a_missing_file_is_404(client, object_storage):
    assert client.get("/media/stations/none.jpg").status_code == 404


def test_object_storage__private_folders_are_not_served(client, object_storage):
    name = object_storage.save("reports/secret.jpg", ContentFile(b"\xff\xd8jpeg"))
    assert client.get(f"/media/{name}").status_code == 404
