"""Photo intake: only real images get in, and nothing of the original file survives but pixels.

An upload is sniffed by Pillow (its declared name and content type are ignored), checked for
size and pixel count before any pixel is decoded (so a small file that expands to gigabytes is
refused), turned upright by its EXIF orientation, and re-encoded as a fresh JPEG built from the
pixel data alone: EXIF (with GPS), XMP, ICC profiles and comments are all left behind.
"""

import io
import uuid
import warnings
from dataclasses import dataclass
from typing import IO

from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.utils import timezone
from django.utils.translation import gettext as _
from PIL import Image, ImageOps, UnidentifiedImageError

from nuanxin.core.errors import ApplicationError

MAX_BYTES = getattr(settings, "REPORTS_PHOTO_MAX_BYTES", 10 * 1024 * 1024)
MAX_PIXELS = getattr(settings, "REPORTS_PHOTO_MAX_PIXELS", 40_000_000)
MAX_SIDE = 2048
THUMB_SIDE = 360
JPEG_QUALITY = 82
ALLOWED_FORMATS = {"JPEG", "PNG", "WEBP", "GIF", "BMP", "MPO"}
MAX_PHOTOS = 4


@dataclass(frozen=True)
class CleanPhoto:
    image: bytes
    thumbnail: bytes
    width: int
    height: int


def _refuse(code: str, message: str, **extra: object) -> ApplicationError:
    return ApplicationError(code, message, extra=dict(extra))


def read_limited(source: IO[bytes] | bytes) -> bytes:
    """The upload's bytes, refusing more than ``MAX_BYTES`` without reading them all."""
    if isinstance(source, bytes | bytearray):
        data = bytes(source)
    else:
        if hasattr(source, "seek"):
            source.seek(0)
        data = source.read(MAX_BYTES + 1)
    if len(data) > MAX_BYTES:
        raise _refuse(
            "reports.photo_too_large",
            _("照片不能超过 %(mb)d MB。") % {"mb": MAX_BYTES // (1024 * 1024)},
            max_bytes=MAX_BYTES,
        )
    if not data:
        raise _refuse("reports.photo_not_image", _("上传的文件不是图片。"))
    return data


def _open_checked(data: bytes) -> Image.Image:
    with warnings.catch_warnings():
        # Pillow only warns between its limit and twice it; ours is an error at any size.
        warnings.simplefilter("error", Image.DecompressionBombWarning)
        try:
            probe = Image.open(io.BytesIO(data))
            if probe.format not in ALLOWED_FORMATS:
                raise _refuse("reports.photo_not_image", _("上传的文件不是图片。"))
            if probe.width * probe.height > MAX_PIXELS:
                raise _refuse(
                    "reports.photo_too_many_pixels",
                    _("照片像素过多。"),
                    max_pixels=MAX_PIXELS,
                )
            probe.verify()
            image = Image.open(io.BytesIO(data))
            shrink = MAX_SIDE * 0.75 / max(image.size)
            if image.format in ("JPEG", "MPO") and shrink < 1:
                # Let the JPEG decoder scale down by 1/2, 1/4 ... while the long side stays at
                # least 3/4 of MAX_SIDE: a 12 MP phone photo then decodes a quarter of the
                # pixels, which is most of the pipeline's time.
                image.draft("RGB", (int(image.width * shrink), int(image.height * shrink)))
            image.load()
        except ApplicationError:
            raise
        except (Image.DecompressionBombError, Image.DecompressionBombWarning) as exc:
            raise _refuse(
                "reports.photo_too_many_pixels", _("照片像素过多。"), max_pixels=MAX_PIXELS
            ) from exc
        except (UnidentifiedImageError, OSError, SyntaxError, ValueError, EOFError) as exc:
            raise _refuse("reports.photo_not_image", _("上传的文件不是图片。")) from exc
    return image


def _pixels_only(image: Image.Image) -> Image.Image:
    """A new RGB image holding only the pixel values (no metadata carried over)."""
    upright = ImageOps.exif_transpose(image)
    if upright.mode in ("RGBA", "LA", "P"):
        rgba = upright.convert("RGBA")
        flat = Image.new("RGB", rgba.size, (255, 255, 255))
        flat.paste(rgba, mask=rgba.getchannel("A"))
        upright = flat
    else:
        upright = upright.convert("RGB")
    return Image.frombytes("RGB", upright.size, upright.tobytes())


def _jpeg(image: Image.Image) -> bytes:
    out = io.BytesIO()
    image.save(out, format="JPEG", quality=JPEG_QUALITY, optimize=True)
    return out.getvalue()


def photo_clean(source: IO[bytes] | bytes) -> CleanPhoto:
    """Check an upload and return the re-encoded photo and its thumbnail.

    Raises ``reports.photo_too_large``, ``reports.photo_not_image`` or
    ``reports.photo_too_many_pixels``.
    """
    image = _open_checked(read_limited(source))
    try:
        clean = _pixels_only(image)
    except (OSError, ValueError) as exc:
        raise _refuse("reports.photo_not_image", _("上传的文件不是图片。")) from exc
    clean.thumbnail((MAX_SIDE, MAX_SIDE), Image.Resampling.LANCZOS)
    thumb = clean.copy()
    thumb.thumbnail((THUMB_SIDE, THUMB_SIDE), Image.Resampling.LANCZOS)
    return CleanPhoto(
        image=_jpeg(clean), thumbnail=_jpeg(thumb), width=clean.width, height=clean.height
    )


def photo_store(photo: CleanPhoto) -> tuple[str, str]:
    """Write both files under reports/; names are random so they cannot be guessed."""
    stem = f"reports/{timezone.now():%Y/%m}/{uuid.uuid4().hex}"
    image_name = default_storage.save(f"{stem}.jpg", ContentFile(photo.image))
    thumb_name = default_storage.save(f"{stem}_t.jpg", ContentFile(photo.thumbnail))
    return image_name, thumb_name


def photo_files_delete(names: list[str]) -> None:
    for name in names:
        if name:
            default_storage.delete(name)
