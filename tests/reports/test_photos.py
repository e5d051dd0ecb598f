import io

import pytest
from PIL import Image

from nuanxin.core.errors import ApplicationError
from nuanxin.reports import photos
from nuanxin.reports.photos import MAX_SIDE, THUMB_SIDE, photo_clean
from tests.reports import factories as f

GPS_IFD = 0x8825
ORIENTATION = 0x0112


def exif_with_gps_and_orientation(orientation: int = 1) -> bytes:
    exif = Image.Exif()
    exif[ORIENTATION] = orientation
    exif[0x010F] = "PhoneMaker"  # Make
    exif.get_ifd(GPS_IFD).update({1: "N", 2: (21.0, 3.0, 0.0), 3: "E", 4: (110.0, 3.0, 0.0)})
    return exif.tobytes()


def opened(data: bytes) -> Image.Image:
    return Image.open(io.BytesIO(data))


def test_exif_and_gps_are_stripped():
    original = f.jpeg_bytes(exif=exif_with_gps_and_orientation())
    assert opened(original).getexif().get_ifd(GPS_IFD)  # the fixture really carries GPS

    clean = photo_clean(original)

    for data in (clean.image, clean.thumbnail):
        image = opened(data)
        assert image.format == "JPEG"
        assert "exif" not in image.info
        assert len(image.getexif()) == 0
        assert b"Exif" not in data and b"PhoneMaker" not in data


def test_exif_orientation_is_applied_before_the_metadata_goes():
    clean = photo_clean(f.jpeg_bytes(size=(60, 40), exif=exif_with_gps_and_orientation(6)))

    assert (clean.width, clean.height) == (40, 60)


def test_png_with_text_and_transparency_becomes_a_plain_jpeg():
    from PIL import PngImagePlugin

    info = PngImagePlugin.PngInfo()
    info.add_text("Comment", "secret-location")
    out = io.BytesIO()
    Image.new("RGBA", (30, 30), (0, 0, 0, 0)).save(out, format="PNG", pnginfo=info)

    clean = photo_clean(out.getvalue())

    assert b"secret-location" not in clean.image
    assert opened(clean.image).getpixel((5, 5)) == pytest.approx((255, 255, 255), abs=2)


def test_large_photo_is_scaled_down_and_gets_a_small_thumbnail():
    clean = photo_clean(f.jpeg_bytes(size=(3000, 1500)))

    assert (clean.width, clean.height) == (MAX_SIDE, MAX_SIDE // 2)
    assert max(opened(clean.thumbnail).size) == THUMB_SIDE


@pytest.mark.parametrize(
    "data",
    [
        b"GIF89a but not really",
        b"<svg xmlns='http://www.w3.org/2000/svg'><script>alert(1)</script></svg>",
        b"%PDF-1.4 fake",
        f.jpeg_bytes()[:200],  # truncated
        b"",
    ],
    ids=["fake-gif", "svg", "pdf", "truncated-jpeg", "empty"],
)
def test_anything_but_a_real_image_is_refused(data):
    with pytest.raises(ApplicationError) as err:
        photo_clean(data)

    assert err.value.code == "reports.photo_not_image"


def test_tiff_is_not_an_accepted_format_even_though_pillow_reads_it():
    out = io.BytesIO()
    Image.new("RGB", (10, 10)).save(out, format="TIFF")

    with pytest.raises(ApplicationError) as err:
        photo_clean(out.getvalue())

    assert err.value.code == "reports.photo_not_image"


def test_file_over_the_byte_limit_is_refused_without_decoding(monkeypatch):
    monkeypatch.setattr(photos, "MAX_BYTES", 1000)

    with pytest.raises(ApplicationError) as err:
        photo_clean(io.BytesIO(b"\xff\xd8" + b"0" * 2000))

    assert err.value.code == "reports.photo_too_large"


def test_image_over_our_pixel_limit_is_refused(monkeypatch):
    monkeypatch.setattr(photos, "MAX_PIXELS", 100 * 100)

    with pytest.raises(ApplicationError) as err:
        photo_clean(f.jpeg_bytes(size=(101, 100)))

    assert err.value.code == "reports.photo_too_many_pixels"


def test_decompression_bomb_is_refused():
    # 192 million 1-bit pixels compress to a few kilobytes of PNG.
    out = io.BytesIO()
    Image.new("1", (16000, 12000)).save(out, format="PNG")
    assert len(out.getvalue()) < 200_000

    with pytest.raises(ApplicationError) as err:
        photo_clean(out.getvalue())

    assert err.value.code == "reports.photo_too_many_pixels"
