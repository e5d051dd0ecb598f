from decimal import Decimal

import pytest
from django.template import Context, Template


@pytest.mark.parametrize(
    ("hours", "shown"),
    [
        (Decimal("1.96"), "1 小时 58 分"),
        (Decimal("2.00"), "2 小时"),
        (Decimal("0.25"), "15 分钟"),
        (1.5, "1 小时 30 分"),
        (None, ""),
    ],
)
def test_hours_read_as_hours_and_minutes_on_any_page(hours, shown):
    # A builtin: no {% load %} needed.
    assert Template("{{ h|hours_minutes }}").render(Context({"h": hours})) == shown
