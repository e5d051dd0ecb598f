"""Report photos: cleaned by the one image intake, then kept under names nobody can guess.

Cleaning is ``core.images.image_clean`` with the purpose ``report_photo`` (the same limits and
checks as every other upload; stored at most 2048 px on the long side, with a 360 px thumbnail,
as JPEG without EXIF, GPS or any other metadata). The files are served only by the reports'
checked photo view, never from public media.
"""

import uuid

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.utils import timezone

from nuanxin.core.images import CleanImage, ImageSource, image_clean

PURPOSE = "report_photo"
MAX_PHOTOS = 4


def photo_clean(source: ImageSource) -> CleanImage:
    """Check an upload and return the re-encoded photo and its thumbnail (raises the
    ``images.*`` errors)."""
    return image_clean(source, purpose=PURPOSE)


def photo_store(photo: CleanImage) -> tuple[str, str]:
    """Write both files under reports/; names are random so they cannot be guessed."""
    stem = f"reports/{timezone.now():%Y/%m}/{uuid.uuid4().hex}"
    image_name = default_storage.save(f"{stem}{photo.extension}", ContentFile(photo.data))
    thumb_name = default_storage.save(f"{stem}_t{photo.extension}", ContentFile(photo.thumbnail))
    return image_name, thumb_name


def photo_files_delete(names: list[str]) -> None:
    for name in names:
        if name:
            default_storage.delete(name)
