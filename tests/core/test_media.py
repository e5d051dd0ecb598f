import pytest


@pytest.fixture
def media(settings):
    for folder in ["stations/1", "reports/2026"]:
        (settings.MEDIA_ROOT / folder).mkdir(parents=True, exist_ok=True)
    (settings.MEDIA_ROOT / "stations/1/front.jpg").write_bytes(b"station photo")
    (settings.MEDIA_ROOT / "reports/2026/abc.jpg").write_bytes(b"private report photo")
    return settings.MEDIA_ROOT


def test_public_media_folders_are_served(client, media):
    response = client.get("/media/stations/1/front.jpg")

    assert response.status_code == 200
    assert b"".join(response.streaming_content) == b"station photo"


@pytest.mark.parametrize(
    "path", ["reports/2026/abc.jpg", "stations/../reports/2026/abc.jpg", "secret_key", ""]
)
def test_everything_else_in_media_is_not_served(client, media, path):
    assert client.get(f"/media/{path}").status_code == 404
