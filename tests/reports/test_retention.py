"""Reporters' contact details are forgotten after REPORT_CONTACT_RETENTION_DAYS; reports stay."""

import datetime as dt

import pytest
from django.utils import timezone

from nuanxin.reports.jobs import forget_reporter_contacts
from nuanxin.reports.models import Report
from tests.reports.factories import submitted

pytestmark = pytest.mark.django_db


def test_forget_contacts__clears_old_contact_details_and_keeps_the_reports(tree, settings):
    settings.REPORT_CONTACT_RETENTION_DAYS = 30
    old, recent = submitted(tree), submitted(tree)
    Report.objects.update(contact_name="王五", contact_phone="13800001111", contact_email="a@b.cn")
    Report.objects.filter(pk=old.pk).update(created_at=timezone.now() - dt.timedelta(days=31))

    assert forget_reporter_contacts() == 1

    old.refresh_from_db()
    recent.refresh_from_db()
    assert (old.contact_name, old.contact_phone, old.contact_email) == ("", "", "")
    assert recent.contact_phone == "13800001111" and Report.objects.count() == 2
    assert forget_reporter_contacts() == 0
