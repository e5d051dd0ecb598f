"""The volunteering pages' guards: the shared ones of ``core.pages`` with this app's error page."""

from functools import partial

from nuanxin.core.pages import back, guarded, run
from nuanxin.core.pages import error_page as _error_page

TEMPLATE = "volunteering/error.html"

error_page = partial(_error_page, template=TEMPLATE)
staff_required = partial(guarded, staff=True, template=TEMPLATE)
worker_page = partial(guarded, template=TEMPLATE)

__all__ = ["back", "error_page", "run", "staff_required", "worker_page"]
