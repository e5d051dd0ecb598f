import pytest

from nuanxin.points.models import Entry
from nuanxin.points.selectors import balance_of
from nuanxin.reports.models import Report, State
from nuanxin.reports.services import report_accept, report_submit
from tests.helpers import race
from tests.points.factories import funded_pool
from tests.reports import factories as f

pytestmark = pytest.mark.django_db(transaction=True)


def test_two_reviewers_accepting_at_once_pay_the_reporter_once(tree):
    funded_pool(tree, "A1a", 100)
    report = f.submitted(tree, cat=f.category(points=9))
    first, second = f.community_staff(tree), f.community_staff(tree)

    results = race(
        [
            lambda: report_accept(report=Report.objects.get(pk=report.pk), reviewer=first).state,
            lambda: report_accept(report=Report.objects.get(pk=report.pk), reviewer=second).state,
        ]
    )

    assert sorted(results) == ["accepted", "reports.invalid_transition"]
    assert balance_of(report.reporter).available == 9
    assert Entry.objects.filter(reference=f"report:{report.pk}").count() == 1


def test_the_same_submit_key_sent_twice_at_once_makes_one_report(tree):
    reporter, cat = f.worker(tree), f.category()

    def send():
        return report_submit(
            reporter=reporter,
            category=cat,
            lon=f.IN_A1A_1[0],
            lat=f.IN_A1A_1[1],
            description="井盖缺失",
            submit_key="same",
        ).pk

    results = race([send, send])

    assert results[0] == results[1]
    assert Report.objects.filter(state=State.SUBMITTED).count() == 1


def test_eight_submissions_racing_for_the_last_two_of_the_daily_limit(tree, settings):
    settings.REPORTS_DAILY_LIMIT = 5
    reporter, cat = f.worker(tree), f.category()

    def send():
        return report_submit(
            reporter=reporter,
            category=cat,
            lon=f.IN_A1A_1[0],
            lat=f.IN_A1A_1[1],
            description="井盖缺失",
        ).pk

    for _ in range(3):
        send()
    results = race([send] * 8)

    assert results.count("reports.daily_limit") == 6
    assert Report.objects.filter(reporter=reporter).count() == 5
