"""The volunteering pages' guards: the shared ones of ``core.pages`` with this app's error page."""

from functools import partial
from typing import Any

from nuanxin.core.pages import back, guarded, run
from nuanxin.core.pages import error_page as _error_page
from nuanxin.core.scoping import jurisdiction_path

TEMPLATE = "volunteering/error.html"

error_page = partial(_error_page, template=TEMPLATE)


def governs_an_area(user: Any) -> bool:
    """Projects belong to areas: the staff pages are for the staff of one (keepers and
    enterprise liaisons have none)."""
    return jurisdiction_path(user) is not None


staff_required = partial(
    guarded, staff_code="volunteering.staff_only", check=governs_an_area, template=TEMPLATE
)
worker_page = partial(guarded, template=TEMPLATE)

__all__ = ["back", "error_page", "run", "staff_required", "worker_page"]
