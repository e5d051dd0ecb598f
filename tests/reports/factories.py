"""Builders for report tests: categories, images, submitted reports in the test city."""

import io
import itertools

from PIL import Image

from nuanxin.accounts.models import Role
from nuanxin.reports.models import Category, Department
from nuanxin.reports.services import report_submit
from tests.factories import UserFactory, staff

_codes = itertools.count(1)

# Points inside the test tree (see tests.factories.build_tree): grid A1a-1 spans
# lon 110.0-110.1, lat 21.0-21.1; A1b-1 is the next community to the east.
IN_A1A_1 = (110.05, 21.05)
IN_A1A_2 = (110.05, 21.15)
IN_A1B_1 = (110.15, 21.05)


def department(code: str | None = None, **fields) -> Department:
    code = code or f"dept-{next(_codes)}"
    return Department.objects.create(code=code, name=fields.pop("name", f"部门{code}"), **fields)


def category(code: str | None = None, **fields) -> Category:
    code = code or f"cat-{next(_codes)}"
    fields.setdefault("name", f"类别{code}")
    fields.setdefault("points", 10)
    fields.setdefault("handling_hours", 48)
    return Category.objects.create(code=code, **fields)


def jpeg_bytes(size=(64, 48), color=(200, 40, 40), exif: bytes | None = None, fmt="JPEG") -> bytes:
    out = io.BytesIO()
    image = Image.new("RGB", size, color)
    kwargs = {"exif": exif} if exif is not None else {}
    image.save(out, format=fmt, **kwargs)
    return out.getvalue()


def worker(tree, community: str = "A1a", **fields):
    return UserFactory(role=Role.WORKER, region=tree[community], **fields)


def community_staff(tree, community: str = "A1a", **fields):
    return staff(Role.COMMUNITY_STAFF, tree[community], **fields)


_FRESH = object()


def submitted(tree, *, reporter=_FRESH, cat=None, point=IN_A1A_1, **fields):
    """A submitted report in grid A1a-1, by a fresh worker unless ``reporter`` is given."""
    return report_submit(
        reporter=worker(tree) if reporter is _FRESH else reporter,
        category=cat or category(),
        lon=point[0],
        lat=point[1],
        description=fields.pop("description", "消防通道被电动车堵住了"),
        **fields,
    )
