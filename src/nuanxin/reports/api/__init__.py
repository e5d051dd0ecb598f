"""JSON API of 随手拍 at /api/v1/reports/ for the mini program: everything the pages do, by
audience (all at the same paths): ``public`` (categories, the coarse public map, photos through
a checked endpoint), ``worker`` (nearby, submit with photos, my reports, support, reopen) and
``staff`` (queue, detail, each review transition, bulk, moderation, the audited reporter
contact)."""

from ninja import Router

from nuanxin.reports.api.public import photo_response
from nuanxin.reports.api.public import router as public_router
from nuanxin.reports.api.staff import router as staff_router
from nuanxin.reports.api.worker import router as worker_router

router = Router(tags=["随手拍"])
router.add_router("", public_router)
router.add_router("", worker_router)
router.add_router("", staff_router)

__all__ = ["photo_response", "router"]
