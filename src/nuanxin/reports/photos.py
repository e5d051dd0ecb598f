"""Report photos: cleaned by the one image intake, then kept under names nobody can guess.

Cleaning is ``core.images.image_clean`` with the purpose ``report_photo`` (the same limits and
checks as every other upload; stored at most 2048 px on the long side, with a 360 px thumbnail,
as JPEG without EXIF, GPS or any other metadata). The files are served only by the reports'
checked photo view, never from public media. Files follow ``core.files``: written inside the
transaction that records them, removed again if it fails.
"""

from typing import Any

from django.utils import timezone

from nuanxin.core.files import WrittenFiles, unguessable_name
from nuanxin.core.images import CleanImage, ImageSource, image_clean
from nuanxin.reports.models import Report, ReportPhoto

PURPOSE = "report_photo"
MAX_PHOTOS = 4


def photo_clean(source: ImageSource) -> CleanImage:
    """Check an upload and return the re-encoded photo and its thumbnail (raises the
    ``images.*`` errors)."""
    return image_clean(source, purpose=PURPOSE)


def photo_attach(
    report: Report, photo: CleanImage, *, kind: str, by: Any, files: WrittenFiles
) -> ReportPhoto:
    """Write both files under reports/ and the row that names them."""
    stem = unguessable_name("", prefix=f"reports/{timezone.now():%Y/%m}/")
    return ReportPhoto.objects.create(
        report=report,
        kind=kind,
        image=files.save(f"{stem}{photo.extension}", photo.data),
        thumbnail=files.save(f"{stem}_t{photo.extension}", photo.thumbnail),
        width=photo.width,
        height=photo.height,
        size=photo.size,
        uploaded_by=by,
    )
