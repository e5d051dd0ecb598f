"""Station photos: cleaned by the one image intake (``core.images``, purpose ``station_photo``),
so no EXIF (camera, GPS track, time) survives, and stored under random names."""

import uuid
from typing import Any

from django.core.files.base import ContentFile
from django.db import transaction
from django.utils.translation import gettext as _

from nuanxin.core.audit import audit_record
from nuanxin.core.errors import ApplicationError
from nuanxin.core.images import ImageSource, image_clean
from nuanxin.stations.models import Station, StationPhoto
from nuanxin.stations.permissions import require_manager

PURPOSE = "station_photo"
MAX_PHOTOS = 12


@transaction.atomic
def station_photo_add(
    *, station: Station, actor: Any, data: ImageSource, caption: str = ""
) -> StationPhoto:
    """Add a photo (raises the ``images.*`` errors for a refused picture)."""
    station = Station.objects.select_for_update().select_related("region").get(pk=station.pk)
    if actor is not None:
        require_manager(actor, station)
    if station.photos.count() >= MAX_PHOTOS:
        raise ApplicationError(
            "stations.too_many_photos", _("每个驿站最多 %(n)d 张照片。") % {"n": MAX_PHOTOS}
        )
    caption = (caption or "").strip()[:100]
    photo = StationPhoto(station=station, caption=caption, sort_order=station.photos.count() + 1)
    clean = image_clean(data, purpose=PURPOSE)
    photo.image.save(f"{uuid.uuid4().hex}{clean.extension}", ContentFile(clean.data), save=False)
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
