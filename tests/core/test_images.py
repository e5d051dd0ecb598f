"""The one image intake: what gets in, what is refused before any pixel is decoded, and what
is left of the file afterwards."""

import io
import struct
import warnings

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image, ImageFile, PngImagePlugin

from nuanxin.core.errors import ApplicationError
from nuanxin.core.images import image_clean
from tests.helpers import error_code, png_of_size

GPS_IFD = 0x8825
ORIENTATION = 0x0112
MAKE = 0x010F
RED, BLUE = (220, 20, 20), (20, 20, 220)


def encoded(image: Image.Image, fmt: str, **params) -> bytes:
    out = io.BytesIO()
    image.save(out, format=fmt, **params)
    return out.getvalue()


def jpeg(size=(64, 48), color=RED, **params) -> bytes:
    return encoded(Image.new("RGB", size, color), "JPEG", **params)


def camera_exif(orientation: int = 1) -> bytes:
    exif = Image.Exif()
    exif[ORIENTATION] = orientation
    exif[MAKE] = "PhoneMaker"
    exif.get_ifd(GPS_IFD).update({1: "N", 2: (21.0, 3.0, 0.0), 3: "E", 4: (110.0, 3.0, 0.0)})
    return exif.tobytes()


def opened(data: bytes) -> Image.Image:
    image = Image.open(io.BytesIO(data))
    image.load()
    return image


@pytest.fixture
def no_decoding(monkeypatch):
    """Fails the test if Pillow is asked to open or decode anything."""

    def refuse(*args, **kwargs):
        raise AssertionError("the file reached Pillow")

    monkeypatch.setattr(Image, "open", refuse)
    monkeypatch.setattr(ImageFile.ImageFile, "load", refuse)


# --- decompression bombs and size limits: refused from the header, nothing decoded -----------


def test_png_bomb_is_refused_from_its_header_without_decoding(no_decoding):
    bomb = png_of_size(12000, 12000)  # 144 million pixels in 17 KB
    assert len(bomb) < 20_000

    with pytest.raises(ApplicationError) as refused:
        image_clean(bomb, purpose="report_photo")

    assert refused.value.code == "images.too_many_pixels"
    assert refused.value.extra["width"] == 12000 and refused.value.extra["height"] == 12000


def test_webp_bomb_is_refused_before_pillow_allocates_its_canvas(no_decoding):
    # An extended WebP header declaring a 16384 x 16384 canvas (1 GB once allocated), no pixels.
    vp8x = b"VP8X" + struct.pack("<I", 10) + b"\0" * 4 + (16383).to_bytes(3, "little") * 2
    bomb = b"RIFF" + struct.pack("<I", 4 + len(vp8x)) + b"WEBP" + vp8x

    assert (
        error_code(lambda: image_clean(bomb, purpose="station_photo")) == "images.too_many_pixels"
    )


def test_jpeg_declaring_a_huge_frame_is_refused_without_decoding(no_decoding):
    data = bytearray(jpeg())
    sof = data.index(b"\xff\xc0")
    data[sof + 5 : sof + 9] = struct.pack(">HH", 60000, 60000)  # height, width

    assert error_code(lambda: image_clean(bytes(data), purpose="store_picture")) == (
        "images.too_many_pixels"
    )


@pytest.mark.parametrize(
    ("size", "refused"),
    [((100, 100), False), ((101, 100), True), ((40, 120), True), ((120, 40), True)],
    ids=["at-the-limits", "too-many-pixels", "too-tall", "too-wide"],
)
def test_width_height_and_pixel_count_are_each_limited(settings, size, refused):
    settings.IMAGE_MAX_PIXELS = 100 * 100
    settings.IMAGE_MAX_WIDTH = settings.IMAGE_MAX_HEIGHT = 110
    data = encoded(Image.new("RGB", size), "PNG")

    if refused:
        assert error_code(lambda: image_clean(data, purpose="report_photo")) == (
            "images.too_many_pixels"
        )
    else:
        assert image_clean(data, purpose="report_photo").width == size[0]


def test_pillow_never_warns_even_when_the_setting_is_above_its_own_limit(settings, no_decoding):
    settings.IMAGE_MAX_PIXELS = 10**12
    settings.IMAGE_MAX_WIDTH = settings.IMAGE_MAX_HEIGHT = 100_000

    with warnings.catch_warnings():
        warnings.simplefilter("error")
        code = error_code(lambda: image_clean(png_of_size(12000, 12000), purpose="report_photo"))

    assert code == "images.too_many_pixels"  # capped at Pillow's 89 MP, refused by us


def test_bytes_over_the_limit_are_refused_without_reading_them_all(settings):
    settings.IMAGE_MAX_BYTES = 1000

    class Stream(io.BytesIO):
        asked: list[int] = []

        def read(self, size=-1):
            self.asked.append(size)
            return super().read(size)

    stream = Stream(jpeg() + b"\0" * 5000)
    assert error_code(lambda: image_clean(stream, purpose="report_photo")) == "images.too_large"
    assert stream.asked == [1001]

    class Upload:  # what Django hands a view: the size is known before anything is read
        size = 2000

        def read(self, size=-1):
            pytest.fail("an upload known to be too large was read")

    assert error_code(lambda: image_clean(Upload(), purpose="report_photo")) == "images.too_large"


# --- formats: sniffed from the bytes, never from the name -----------------------------------


@pytest.mark.parametrize(
    "data",
    [
        b"",
        b"just some text, saved as holiday.jpg",
        b"<svg xmlns='http://www.w3.org/2000/svg'><script>alert(1)</script></svg>",
        b"<?xml version='1.0'?><svg xmlns='http://www.w3.org/2000/svg'><image href='data:"
        b"image/png;base64,iVBORw0KGgo='/></svg>",
        b"<html><body><img src=x onerror=alert(1)></body></html>",
        b"%PDF-1.4 fake",
        encoded(Image.new("P", (10, 10)), "GIF"),
        encoded(Image.new("RGB", (10, 10)), "BMP"),
        encoded(Image.new("RGB", (10, 10)), "TIFF"),
        b"\0\0\0\x18ftypheic\0\0\0\0mif1heic",
    ],
    ids=[
        "empty",
        "text",
        "svg",
        "svg-with-png-inside",
        "html",
        "pdf",
        "gif",
        "bmp",
        "tiff",
        "heic",
    ],
)
def test_anything_but_jpeg_png_and_webp_is_refused(data, no_decoding):
    upload = SimpleUploadedFile("photo.jpg", data, content_type="image/jpeg")

    assert error_code(lambda: image_clean(upload, purpose="report_photo")) == (
        "images.unsupported_format"
    )


@pytest.mark.parametrize(
    "data",
    [
        jpeg(size=(400, 300))[:400],
        encoded(Image.effect_noise((300, 200), 40), "PNG")[:2000],
        encoded(Image.effect_noise((300, 200), 40), "WEBP")[:2000],
        b"\xff\xd8\xff\xe0<script>alert(1)</script>",
        b"\x89PNG\r\n\x1a\n<html>not really</html>",
        b"RIFF\0\0\0\0WEBPVP8 nothing",
    ],
    ids=["truncated-jpeg", "truncated-png", "truncated-webp", "jpeg-magic", "png-magic", "webp"],
)
def test_truncated_or_fake_images_are_refused_as_corrupt(data):
    assert error_code(lambda: image_clean(data, purpose="report_photo")) == "images.corrupt"


def test_a_polyglot_loses_its_second_meaning():
    payload = b"<script>alert('kept')</script>PK\x03\x04"
    polyglot = encoded(Image.new("RGB", (40, 30), BLUE), "PNG") + payload

    clean = image_clean(polyglot, purpose="station_photo")

    assert payload not in clean.data and b"<script" not in clean.data
    assert clean.data.endswith(b"\xff\xd9")  # ends where the JPEG ends, nothing after it


@pytest.mark.parametrize("fmt", ["JPEG", "PNG", "WEBP", "MPO"])
def test_each_accepted_format_comes_out_as_a_plain_jpeg(fmt):
    first, second = Image.new("RGB", (60, 40), RED), Image.new("RGB", (60, 40), BLUE)
    params = {"save_all": True, "append_images": [second]} if fmt == "MPO" else {}

    clean = image_clean(encoded(first, fmt, **params), purpose="report_photo")

    assert clean.format == "JPEG" and clean.extension == ".jpg"
    assert opened(clean.data).format == "JPEG" and (clean.width, clean.height) == (60, 40)
    assert clean.size == len(clean.data)


# --- metadata: nothing but pixels survives ----------------------------------------------------


def test_exif_with_gps_is_removed():
    original = jpeg(exif=camera_exif())
    assert opened(original).getexif().get_ifd(GPS_IFD)  # the fixture really carries GPS

    clean = image_clean(original, purpose="report_photo")

    for data in (clean.data, clean.thumbnail):
        image = opened(data)
        assert len(image.getexif()) == 0 and "exif" not in image.info
        assert b"Exif" not in data and b"PhoneMaker" not in data


def test_xmp_icc_profile_comments_and_text_chunks_are_removed():
    xmp = b"<x:xmpmeta xmlns:x='adobe:ns:meta/'><gps>21.05,110.05</gps></x:xmpmeta>"
    icc = b"\0" * 128 + b"fake-profile"
    photo = jpeg(xmp=xmp, icc_profile=icc, comment=b"taken-at-home")
    text = PngImagePlugin.PngInfo()
    text.add_text("Comment", "secret-location")
    screenshot = encoded(Image.new("RGB", (30, 30)), "PNG", pnginfo=text)

    for original in (photo, screenshot):
        clean = image_clean(original, purpose="store_picture")
        assert not {"xmp", "icc_profile", "comment"} & set(opened(clean.data).info)
        for secret in (b"gps", b"fake-profile", b"taken-at-home", b"secret-location", b"xmpmeta"):
            assert secret not in clean.data


def test_exif_orientation_is_applied_before_the_metadata_goes():
    # Stored sideways: red on the left, blue on the right; orientation 6 means "turn right".
    sideways = Image.new("RGB", (60, 40), RED)
    sideways.paste(BLUE, (30, 0, 60, 40))

    clean = image_clean(encoded(sideways, "JPEG", exif=camera_exif(6)), purpose="report_photo")

    upright = opened(clean.data)
    assert (clean.width, clean.height) == (40, 60)
    assert upright.getpixel((20, 5)) == pytest.approx(RED, abs=30)
    assert upright.getpixel((20, 55)) == pytest.approx(BLUE, abs=30)


@pytest.mark.filterwarnings("ignore:Corrupt EXIF data")
def test_damaged_exif_does_not_refuse_the_photo():
    clean = image_clean(jpeg(exif=b"Exif\0\0II*\0\xff\xff\xff\x7f"), purpose="report_photo")

    assert (clean.width, clean.height) == (64, 48)


# --- size and format of what is stored --------------------------------------------------------


def test_large_pictures_are_scaled_to_the_purposes_edge_with_a_thumbnail_where_asked(settings):
    clean = image_clean(encoded(Image.new("RGB", (3000, 1500)), "PNG"), purpose="report_photo")
    station = image_clean(encoded(Image.new("RGB", (3000, 1500)), "PNG"), purpose="station_photo")

    assert (clean.width, clean.height) == (2048, 1024)
    assert max(opened(clean.thumbnail).size) == 360
    assert (station.width, station.height) == (1600, 800) and station.thumbnail is None


def test_a_large_jpeg_is_decoded_at_a_reduced_scale_and_still_fills_most_of_the_edge():
    clean = image_clean(jpeg(size=(6000, 4000)), purpose="report_photo")

    assert 1536 <= clean.width <= 2048 and clean.width / clean.height == pytest.approx(1.5, 0.01)


def test_transparency_is_kept_as_webp_only_where_the_purpose_keeps_it():
    cutout = Image.new("RGBA", (40, 40), (0, 0, 0, 0))
    cutout.paste((200, 0, 0, 255), (10, 10, 30, 30))
    data = encoded(cutout, "PNG")

    item = image_clean(data, purpose="store_picture")
    report = image_clean(data, purpose="report_photo")
    opaque = image_clean(encoded(Image.new("RGBA", (40, 40), RED), "PNG"), purpose="store_picture")

    assert (item.format, item.extension, item.content_type) == ("WEBP", ".webp", "image/webp")
    assert opened(item.data).getpixel((0, 0))[3] == 0
    assert opened(item.data).getpixel((20, 20))[3] == 255
    assert report.format == "JPEG"
    assert opened(report.data).getpixel((0, 0)) == pytest.approx((255, 255, 255), abs=10)
    assert opaque.format == "JPEG"


@pytest.mark.parametrize("mode", ["1", "L", "LA", "P", "I;16", "CMYK"])
def test_every_pixel_mode_a_file_can_carry_is_stored(mode):
    fmt = "JPEG" if mode == "CMYK" else "PNG"

    clean = image_clean(encoded(Image.new(mode, (30, 20)), fmt), purpose="report_photo")

    assert opened(clean.data).mode == "RGB" and (clean.width, clean.height) == (30, 20)


def test_an_unknown_purpose_is_a_programming_error():
    with pytest.raises(ValueError):
        image_clean(jpeg(), purpose="avatar")
