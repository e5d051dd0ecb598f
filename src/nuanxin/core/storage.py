"""Uploads on S3-compatible object storage (``MEDIA_S3_BUCKET``, django-storages).

The bucket stays private and nobody is sent to it: a file's URL is the site's own
``MEDIA_URL`` + its name, as on local disk, so pages keep their content security policy
(images from this site only) and every file passes the application's checks — report photos
through their permission check, station photos and shop pictures through ``public_media``,
which streams the public folders from the bucket.
"""

import mimetypes
from urllib.parse import quote

from django.conf import settings
from django.core.files.storage import default_storage
from django.http import FileResponse, Http404
from storages.backends.s3 import S3Storage


class MediaS3Storage(S3Storage):
    def url(self, name: str, parameters: dict | None = None, expire: int | None = None,
            http_method: str | None = None) -> str:  # fmt: skip
        return f"{settings.MEDIA_URL}{quote(name.lstrip('/'))}"


def stored_file_response(name: str) -> FileResponse:
    """A public file streamed from the default storage (missing: 404)."""
    if not default_storage.exists(name):
        raise Http404
    content_type = mimetypes.guess_type(name)[0] or "application/octet-stream"
    response = FileResponse(default_storage.open(name, "rb"), content_type=content_type)
    response["Cache-Control"] = "public, max-age=3600"
    response["X-Content-Type-Options"] = "nosniff"
    return response
