"""One intake for every uploaded image: report photos, station photos, shop item pictures.

``image_clean(upload, purpose=...)`` is the only way an uploaded picture gets into storage:

1. At most ``IMAGE_MAX_BYTES`` are read (an upload that says it is larger is refused unread).
2. The format is sniffed from the first bytes; the file's name and content type are ignored.
   JPEG (and MPO, the multi-picture JPEG some phones write), PNG and WebP are accepted; SVG,
   HEIC, GIF, TIFF, PDF, HTML and anything else are not.
3. Width and height are read from the header by this module, before Pillow sees the file, and
   checked against ``IMAGE_MAX_WIDTH``, ``IMAGE_MAX_HEIGHT`` and ``IMAGE_MAX_PIXELS``. A file of
   a few kilobytes that would decode to gigabytes (a decompression bomb) is refused here: Pillow's
   WebP reader allocates its canvas when it opens a file, so Pillow's own guard comes too late,
   and its warnings must never reach a request. Pillow's reading of the size is checked again.
4. Only then is it decoded (a large JPEG at a reduced DCT scale, which is most of the time
   saved), downscaled to the purpose's longest edge, and turned upright by its EXIF orientation.
5. It is re-encoded from its pixels alone: EXIF (with GPS), XMP, ICC profiles, comments, text
   chunks and anything appended to the file (a polyglot's second meaning) are left behind.

Output is JPEG: photos need no transparency, and JPEG is what every client shows. A purpose that
keeps transparency (shop item pictures, often cut-out product shots) gets WebP when the picture
really has transparent pixels: WebP keeps the alpha channel exactly at a tenth of the size of a
PNG of the same photo, and every browser the clients run (WeChat's web views, Chrome, Safari 14+)
shows it.

Limits are the same for every purpose; a purpose only says how large the stored copy is
(``IMAGE_PURPOSES``). Errors: ``images.too_large``, ``images.too_many_pixels``,
``images.unsupported_format``, ``images.corrupt`` (all 400).
"""

import io
import struct
import zlib
from dataclasses import dataclass
from typing import IO

from django.conf import settings
from django.utils.translation import gettext as _
from PIL import Image

from nuanxin.core.errors import ApplicationError

ImageSource = IO[bytes] | bytes

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
# Start-of-frame markers carry the size; C4 (DHT), C8 (JPG) and CC (DAC) share the range.
_JPEG_SOF = {0xC0, 0xC1, 0xC2, 0xC3, 0xC5, 0xC6, 0xC7, 0xC9, 0xCA, 0xCB, 0xCD, 0xCE, 0xCF}
_JPEG_STANDALONE = {0x01, 0xD8, *range(0xD0, 0xD8)}
# A JPEG is decoded at 1/2, 1/4 or 1/8 scale while its long side stays at least this share of
# the output edge: a 12 MP phone photo then decodes a quarter of its pixels.
_DRAFT_SHARE = 0.75
_DECODE_ERRORS = (OSError, SyntaxError, ValueError, EOFError, struct.error, zlib.error)
_TRANSPOSE = {
    2: Image.Transpose.FLIP_LEFT_RIGHT,
    3: Image.Transpose.ROTATE_180,
    4: Image.Transpose.FLIP_TOP_BOTTOM,
    5: Image.Transpose.TRANSPOSE,
    6: Image.Transpose.ROTATE_270,
    7: Image.Transpose.TRANSVERSE,
    8: Image.Transpose.ROTATE_90,
}
_EXIF_ORIENTATION = 0x0112
# Modes Pillow resamples as they are; anything else (palette, 1-bit, 16-bit) is converted first.
_RESAMPLABLE = {"RGB", "RGBA", "L", "LA", "CMYK"}


@dataclass(frozen=True)
class ImageLimits:
    max_bytes: int
    max_width: int
    max_height: int
    max_pixels: int


@dataclass(frozen=True)
class ImagePurpose:
    max_edge: int
    thumbnail_edge: int | None = None
    keep_transparency: bool = False


@dataclass(frozen=True)
class CleanImage:
    """A re-encoded picture: ``data`` in ``format`` (``"JPEG"`` or ``"WEBP"``), and the
    thumbnail in the same format when the purpose asks for one."""

    data: bytes
    format: str
    width: int
    height: int
    thumbnail: bytes | None = None

    @property
    def size(self) -> int:
        return len(self.data)

    @property
    def extension(self) -> str:
        return ".webp" if self.format == "WEBP" else ".jpg"

    @property
    def content_type(self) -> str:
        return "image/webp" if self.format == "WEBP" else "image/jpeg"


def image_limits() -> ImageLimits:
    """The limits every upload is held to (settings, read at call time).

    The pixel limit never exceeds Pillow's own (``Image.MAX_IMAGE_PIXELS``), so Pillow never
    warns about an image this module has let through."""
    max_pixels = settings.IMAGE_MAX_PIXELS
    if Image.MAX_IMAGE_PIXELS:
        max_pixels = min(max_pixels, Image.MAX_IMAGE_PIXELS)
    return ImageLimits(
        max_bytes=settings.IMAGE_MAX_BYTES,
        max_width=settings.IMAGE_MAX_WIDTH,
        max_height=settings.IMAGE_MAX_HEIGHT,
        max_pixels=max_pixels,
    )


def image_purpose(name: str) -> ImagePurpose:
    try:
        return ImagePurpose(**settings.IMAGE_PURPOSES[name])
    except KeyError:
        raise ValueError(f"unknown image purpose {name!r}") from None


def image_clean(source: ImageSource, *, purpose: str) -> CleanImage:
    """Check an upload and return a clean, re-encoded copy of it (see the module docstring).

    Raises ``images.too_large``, ``images.unsupported_format``, ``images.too_many_pixels`` or
    ``images.corrupt``; nothing is decoded before the size checks pass."""
    spec = image_purpose(purpose)
    limits = image_limits()
    data = _read_limited(source, limits)
    kind, width, height = image_sniff(data)
    _check_dimensions(width, height, limits)
    image = _decode(data, kind, (width, height), limits, spec.max_edge)
    try:
        picture = _upright_and_small(image, spec.max_edge)
        transparent = spec.keep_transparency and _has_transparency(picture)
        picture = _pixels_only(picture, keep_alpha=transparent)
        thumb = None
        if spec.thumbnail_edge:
            small = picture.copy()
            small.thumbnail((spec.thumbnail_edge,) * 2, Image.Resampling.LANCZOS)
            thumb = _encode(small, transparent)
        return CleanImage(
            data=_encode(picture, transparent),
            format="WEBP" if transparent else "JPEG",
            width=picture.width,
            height=picture.height,
            thumbnail=thumb,
        )
    except _DECODE_ERRORS as exc:
        raise _corrupt() from exc
    finally:
        image.close()


def image_sniff(data: bytes) -> tuple[str, int, int]:
    """The format (Pillow's name) and the width and height its header declares.

    Raises ``images.unsupported_format`` for anything but JPEG, PNG and WebP, and
    ``images.corrupt`` when the header is not readable."""
    if data.startswith(b"\xff\xd8\xff"):
        kind, size = "JPEG", _jpeg_size(data)
    elif data.startswith(PNG_SIGNATURE):
        kind, size = "PNG", _png_size(data)
    elif data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        kind, size = "WEBP", _webp_size(data)
    else:
        raise ApplicationError(
            "images.unsupported_format",
            _("只能上传 JPEG、PNG 或 WebP 格式的图片。"),
            extra={"accepted": ["jpeg", "png", "webp"]},
        )
    if size is None or min(size) < 1:
        raise _corrupt()
    return kind, *size


def _read_limited(source: ImageSource, limits: ImageLimits) -> bytes:
    if isinstance(source, bytes | bytearray | memoryview):
        data = bytes(source)
    else:
        declared = getattr(source, "size", None)  # Django's uploads know their size
        if isinstance(declared, int) and declared > limits.max_bytes:
            raise _too_large(limits)
        if hasattr(source, "seek"):
            source.seek(0)
        data = source.read(limits.max_bytes + 1)
    if len(data) > limits.max_bytes:
        raise _too_large(limits)
    return data


def _check_dimensions(width: int, height: int, limits: ImageLimits) -> None:
    if width > limits.max_width or height > limits.max_height or width * height > limits.max_pixels:
        raise _too_many_pixels(width, height, limits)


def _too_many_pixels(width: int, height: int, limits: ImageLimits) -> ApplicationError:
    return ApplicationError(
        "images.too_many_pixels",
        # "%(mp)d00 万" reads 40 megapixels as 4000 万, the way pixels are counted in Chinese.
        _("图片尺寸过大：长宽各不超过 %(side)d 像素，总像素不超过 %(mp)d00 万。")
        % {
            "side": min(limits.max_width, limits.max_height),
            "mp": limits.max_pixels // 1_000_000,
        },
        extra={
            "width": width,
            "height": height,
            "max_width": limits.max_width,
            "max_height": limits.max_height,
            "max_pixels": limits.max_pixels,
        },
    )


def _decode(
    data: bytes, kind: str, declared: tuple[int, int], limits: ImageLimits, edge: int
) -> Image.Image:
    try:
        # Only the sniffed format's reader runs: nothing else Pillow knows (EPS, PSD...) is tried.
        image = Image.open(io.BytesIO(data), formats=[kind])
    except Image.DecompressionBombError as exc:  # Pillow read a larger size than the header did
        raise _too_many_pixels(*declared, limits) from exc
    except _DECODE_ERRORS as exc:
        raise _corrupt() from exc
    try:
        # Pillow's own reading of the header may differ from ours on a crafted file.
        _check_dimensions(*image.size, limits)
        shrink = edge * _DRAFT_SHARE / max(image.size)
        if image.format in ("JPEG", "MPO") and shrink < 1:
            image.draft(None, (int(image.width * shrink), int(image.height * shrink)))
        image.load()
    except ApplicationError:
        image.close()
        raise
    except Image.DecompressionBombError as exc:
        image.close()
        raise _too_many_pixels(*image.size, limits) from exc
    except _DECODE_ERRORS as exc:
        image.close()
        raise _corrupt() from exc
    return image


def _upright_and_small(image: Image.Image, edge: int) -> Image.Image:
    """The first frame, at most ``edge`` on its long side, turned by its EXIF orientation.

    Downscaled before it is turned, so the full-size pixels exist only once."""
    orientation = _orientation(image)
    frame = image
    if frame.mode not in _RESAMPLABLE:
        frame = frame.convert("RGBA" if _has_alpha(frame) else "RGB")
    if max(frame.size) > edge:
        frame.thumbnail((edge, edge), Image.Resampling.LANCZOS)  # in place: no second full copy
    if orientation in _TRANSPOSE:
        frame = frame.transpose(_TRANSPOSE[orientation])
    return frame


def _orientation(image: Image.Image) -> int:
    # A photo is not refused for damaged EXIF; it is only left as it was taken.
    try:
        value = image.getexif().get(_EXIF_ORIENTATION, 1)
    except (*_DECODE_ERRORS, TypeError, KeyError, IndexError):
        return 1
    return value if isinstance(value, int) else 1


def _has_alpha(image: Image.Image) -> bool:
    return image.mode in ("RGBA", "LA", "PA", "RGBa", "La") or "transparency" in image.info


def _has_transparency(image: Image.Image) -> bool:
    if not _has_alpha(image):
        return False
    alpha = image.convert("RGBA").getchannel("A") if image.mode != "RGBA" else image.getchannel("A")
    return alpha.getextrema()[0] < 255


def _pixels_only(image: Image.Image, *, keep_alpha: bool) -> Image.Image:
    """A new image holding only pixel values: no info, EXIF, ICC profile or text carried over.
    Without ``keep_alpha`` transparent parts are laid on white, as a viewer would show them."""
    if keep_alpha:
        pixels = image.convert("RGBA")
    elif _has_alpha(image):
        rgba = image.convert("RGBA")
        pixels = Image.new("RGB", rgba.size, (255, 255, 255))
        pixels.paste(rgba, mask=rgba.getchannel("A"))
    else:
        pixels = image.convert("RGB")
    return Image.frombytes(pixels.mode, pixels.size, pixels.tobytes())


def _encode(image: Image.Image, transparent: bool) -> bytes:
    out = io.BytesIO()
    quality = settings.IMAGE_QUALITY
    if transparent:
        image.save(out, format="WEBP", quality=quality)
    else:
        image.save(out, format="JPEG", quality=quality, optimize=True)
    return out.getvalue()


def _jpeg_size(data: bytes) -> tuple[int, int] | None:
    """The largest size any start-of-frame segment declares before the scan starts."""
    sizes = []
    pos = 2
    while pos + 4 <= len(data):
        if data[pos] != 0xFF:
            return None
        marker = data[pos + 1]
        if marker == 0xFF:  # fill byte
            pos += 1
            continue
        if marker in _JPEG_STANDALONE:
            pos += 2
            continue
        if marker in (0xD9, 0xDA):  # end of image, start of scan
            break
        (length,) = struct.unpack(">H", data[pos + 2 : pos + 4])
        if length < 2:
            return None
        if marker in _JPEG_SOF:
            if pos + 9 > len(data):
                return None
            height, width = struct.unpack(">HH", data[pos + 5 : pos + 9])
            sizes.append((width, height))
        pos += 2 + length
    if not sizes:
        return None
    return max(w for w, _h in sizes), max(h for _w, h in sizes)


def _png_size(data: bytes) -> tuple[int, int] | None:
    # IHDR is always the first chunk: length 13, then width and height as 32-bit big-endian.
    if data[8:16] != b"\x00\x00\x00\x0dIHDR" or len(data) < 24:
        return None
    return struct.unpack(">II", data[16:24])


def _webp_size(data: bytes) -> tuple[int, int] | None:
    chunk = data[12:16]
    if chunk == b"VP8X" and len(data) >= 30:  # extended: 24-bit canvas size minus one
        width = int.from_bytes(data[24:27], "little") + 1
        height = int.from_bytes(data[27:30], "little") + 1
        return width, height
    if chunk == b"VP8L" and len(data) >= 25 and data[20] == 0x2F:  # lossless: 14 bits each
        bits = int.from_bytes(data[21:25], "little")
        return (bits & 0x3FFF) + 1, ((bits >> 14) & 0x3FFF) + 1
    if chunk == b"VP8 " and len(data) >= 30 and data[23:26] == b"\x9d\x01\x2a":  # lossy
        width, height = struct.unpack("<HH", data[26:30])
        return width & 0x3FFF, height & 0x3FFF
    return None


def _too_large(limits: ImageLimits) -> ApplicationError:
    return ApplicationError(
        "images.too_large",
        _("图片不能超过 %(mb)d MB。") % {"mb": limits.max_bytes // (1024 * 1024)},
        extra={"max_bytes": limits.max_bytes},
    )


def _corrupt() -> ApplicationError:
    return ApplicationError("images.corrupt", _("图片文件已损坏或不完整，无法读取。"))
