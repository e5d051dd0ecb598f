"""What reports pay, for the points app's earning rules: each active category's points."""

from django.utils.translation import gettext as _

from nuanxin.core.vocab import vocab_label
from nuanxin.points.reasons import REPORT_ACCEPTED
from nuanxin.points.rules import EarningRule
from nuanxin.reports.models import Category


def earning_rules() -> list[EarningRule]:
    categories = Category.objects.filter(is_active=True, points__gt=0).order_by("-points", "name")
    return [
        EarningRule(
            REPORT_ACCEPTED,
            _("随手拍：%(name)s") % {"name": vocab_label(category.name)},
            category.points,
            _("每条"),
            _("社区核实受理后发放"),
            kind=_("随手拍"),
        )
        for category in categories
    ]
