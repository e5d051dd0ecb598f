"""Memory and time of the image intake (``core.images``) on the files that matter.

Each case runs in a fresh Python process, so its peak resident memory (``ru_maxrss``) is its
own: the figure is the peak during the cleaning minus the peak before it (Django loaded, the
file's bytes in memory). Pillow's pixel buffers are C allocations that tracemalloc does not
see, hence the resident-set figure.

The cases: the 12000 x 12000 grayscale PNG of 140 KB (a decompression bomb); the same file
through a naive decode-and-re-encode, what station photos and shop pictures did before the
intake (open, turn upright, convert to RGB, thumbnail, save), as the reference in the same run;
the largest PNG the default limits let in (7300 x 5470, 39.9 MP); a 12 MP phone JPEG with EXIF.
"""

import json
import os
import struct
import subprocess
import sys
import tempfile
import zlib
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent

CHILD = r"""
import io, json, os, resource, sys, time
sys.path.insert(0, sys.argv[3])
os.environ["NUANXIN_DATA_DIR"] = sys.argv[4]
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "nuanxin.settings")
import django
django.setup()
from PIL import Image, ImageOps
from nuanxin.core.errors import ApplicationError
from nuanxin.core.images import image_clean

def naive(data):
    with Image.open(io.BytesIO(data)) as image:
        image = ImageOps.exif_transpose(image).convert("RGB")
        image.thumbnail((1600, 1600))
        out = io.BytesIO()
        image.save(out, "JPEG", quality=85)
        return out.getvalue()

data = open(sys.argv[2], "rb").read()
clean = naive if sys.argv[1] == "naive" else lambda d: image_clean(d, purpose=sys.argv[1])
before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
started = time.perf_counter()
try:
    clean(data)
    result = "accepted"
except ApplicationError as error:
    result = error.code
seconds = time.perf_counter() - started
after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
print(json.dumps({"result": result, "ms": round(seconds * 1000, 1),
                  "peak_mib": round((after - before) / 1024, 1)}))
"""


def png_of_zeros(width: int, height: int, channels: int) -> bytes:
    """An all-black 8-bit PNG (grayscale or RGB), streamed so its pixels never exist here."""

    def chunk(kind: bytes, body: bytes) -> bytes:
        crc = zlib.crc32(kind + body)
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", crc)

    row = b"\0" * (1 + width * channels)
    packer = zlib.compressobj(9)
    parts = [packer.compress(row * 64) for _ in range(height // 64)]
    parts.append(packer.compress(row * (height % 64)))
    parts.append(packer.flush())
    color_type = {1: 0, 3: 2}[channels]
    header = struct.pack(">IIBBBBB", width, height, 8, color_type, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", b"".join(parts))
        + chunk(b"IEND", b"")
    )


def phone_jpeg() -> bytes:
    import io

    from PIL import Image

    exif = Image.Exif()
    exif[0x0112] = 6
    exif.get_ifd(0x8825).update({1: "N", 2: (21.0, 3.0, 0.0), 3: "E", 4: (110.0, 3.0, 0.0)})
    out = io.BytesIO()
    Image.effect_noise((4000, 3000), 60).convert("RGB").save(
        out, "JPEG", quality=90, exif=exif.tobytes()
    )
    return out.getvalue()


def run(case: str, path: Path, data_dir: str) -> dict:
    answer = subprocess.run(
        [sys.executable, "-W", "ignore", "-c", CHILD, case, str(path), str(ROOT / "src"), data_dir],
        capture_output=True,
        text=True,
        check=True,
    )
    return json.loads(answer.stdout.strip().splitlines()[-1])


def main() -> dict:
    figures: dict = {}
    with tempfile.TemporaryDirectory() as folder:
        work = Path(folder)
        files = {
            "bomb_png_12000": png_of_zeros(12000, 12000, 1),
            "largest_png_allowed": png_of_zeros(7300, 5470, 3),
            "phone_jpeg_12mp": phone_jpeg(),
        }
        for name, data in files.items():
            (work / name).write_bytes(data)
            figures[f"{name}_bytes"] = len(data)
        cases = [
            ("bomb_png_12000", "naive"),
            ("bomb_png_12000", "station_photo"),
            ("largest_png_allowed", "naive"),
            ("largest_png_allowed", "report_photo"),
            ("phone_jpeg_12mp", "naive"),
            ("phone_jpeg_12mp", "report_photo"),
        ]
        print(f"{'file':<22} {'cleaner':<14} {'result':<24} {'ms':>8} {'peak MiB':>9}")
        for file_name, cleaner in cases:
            result = run(cleaner, work / file_name, folder)
            figures[f"{file_name}:{cleaner}"] = result
            print(
                f"{file_name:<22} {cleaner:<14} {result['result']:<24} "
                f"{result['ms']:>8} {result['peak_mib']:>9}"
            )
    return figures


if __name__ == "__main__":
    os.chdir(ROOT)
    main()
