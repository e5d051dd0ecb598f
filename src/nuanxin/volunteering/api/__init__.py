"""The volunteering API at /api/v1/volunteering/: worker endpoints, and staff ones under /staff."""

from ninja import Router

from nuanxin.volunteering.api.staff import router as staff_router
from nuanxin.volunteering.api.worker import router as worker_router

router = Router(tags=["志愿服务"])
router.add_router("", worker_router)
router.add_router("/staff", staff_router)
