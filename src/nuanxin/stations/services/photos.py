"""Station photos: cleaned by the one image intake (``core.images``, purpose ``station_photo``),
so no EXIF (camera, GPS track, time) survives, and stored under random names."""

from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from nuanxin.core.audit import audit_record
from nuanxin.core.errors import ApplicationError
from nuanxin.core.files import delete_after_commit, removed_unless_committed
from nuanxin.core.images import ImageSource, image_clean
from nuanxin.stations.models import Station, StationPhoto
from nuanxin.stations.permissions import require_manager

PURPOSE = "station_photo"
MAX_PHOTOS = 12


def station_photo_add(
    *, station: Station, actor: Any, data: ImageSource, caption: str = ""
) -> StationPhoto:
    """Add a photo (raises the ``images.*`` errors for a refused picture)."""
    if actor is not None:
        require_manager(actor, station)  # before the picture is looked at; again under the lock
    clean = image_clean(data, purpose=PURPOSE)
    with removed_unless_committed() as files, transaction.atomic():
        station = Station.objects.select_for_update().select_related("region").get(pk=station.pk)
        if actor is not None:
            require_manager(actor, station)
        count = station.photos.count()
        if count >= MAX_PHOTOS:
            raise ApplicationError(
                "stations.too_many_photos", _("每个驿站最多 %(n)d 张照片。") % {"n": MAX_PHOTOS}
            )
        caption = (caption or "").strip()[:100]
        photo = StationPhoto(station=station, caption=caption, sort_order=count + 1)
        files.save_to(photo.image, clean.extension, clean.data)
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
    delete_after_commit(StationPhoto._meta.get_field("image").storage, name)
