"""Station photos: re-encoded on upload, so no EXIF (camera, GPS track, time) survives."""

import io
import uuid
from typing import Any

from django.core.files.base import ContentFile
from django.db import transaction
from django.utils.translation import gettext as _
from PIL import Image, ImageOps, UnidentifiedImageError

from nuanxin.core.audit import audit_record
from nuanxin.core.errors import ApplicationError
from nuanxin.stations.models import Station, StationPhoto
from nuanxin.stations.permissions import require_manager

MAX_UPLOAD_BYTES = 12 * 1024 * 1024
MAX_SIDE = 1600
MAX_PHOTOS = 12


def clean_image(data: bytes) -> bytes:
    """A JPEG of the picture, upright, at most ``MAX_SIDE`` pixels wide, with no metadata."""
    if len(data) > MAX_UPLOAD_BYTES:
        raise ApplicationError("stations.photo_too_large", _("照片不能超过 12 MB。"))
    try:
        with Image.open(io.BytesIO(data)) as image:
            image = ImageOps.exif_transpose(image)
            image = image.convert("RGB")
            image.thumbnail((MAX_SIDE, MAX_SIDE))
            out = io.BytesIO()
            # A fresh image from pixels only: nothing of the original's info dict is written.
            Image.frombytes("RGB", image.size, image.tobytes()).save(
                out, "JPEG", quality=85, optimize=True
            )
    except (UnidentifiedImageError, OSError, Image.DecompressionBombError) as exc:
        raise ApplicationError("stations.bad_photo", _("无法识别的图片文件。")) from exc
    return out.getvalue()


@transaction.atomic
def station_photo_add(
    *, station: Station, actor: Any, data: bytes, caption: str = ""
) -> StationPhoto:
    station = Station.objects.select_for_update().select_related("region").get(pk=station.pk)
    if actor is not None:
        require_manager(actor, station)
    if station.photos.count() >= MAX_PHOTOS:
        raise ApplicationError(
            "stations.too_many_photos", _("每个驿站最多 %(n)d 张照片。") % {"n": MAX_PHOTOS}
        )
    caption = (caption or "").strip()[:100]
    photo = StationPhoto(station=station, caption=caption, sort_order=station.photos.count() + 1)
    photo.image.save(f"{uuid.uuid4().hex}.jpg", ContentFile(clean_image(data)), save=False)
    photo.save()
    audit_record(
        actor=actor,
        action="station.photo_add",
        obj=station,
        after={"photo": photo.pk, "caption": caption},
        region_path=station.region.path,
    )
    return photo


@transaction.atomic
def station_photo_remove(*, photo: StationPhoto, actor: Any) -> None:
    station = Station.objects.select_for_update().select_related("region").get(pk=photo.station_id)
    if actor is not None:
        require_manager(actor, station)
    name = photo.image.name
    before = {"photo": photo.pk, "caption": photo.caption}
    photo.delete()
    audit_record(
        actor=actor,
        action="station.photo_remove",
        obj=station,
        before=before,
        region_path=station.region.path,
    )
    storage = StationPhoto._meta.get_field("image").storage
    transaction.on_commit(lambda: storage.delete(name))
