"""两个覆盖 and 应建尽建, one test per case of the rule, from live registry records."""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest

from nuanxin.party import services
from nuanxin.party.models import Attachment, OrgKind, OrgStatus
from nuanxin.party.selectors.coverage import (
    INSTRUCTOR,
    JOINT,
    NONE,
    OWN,
    coverage_by_month,
    coverage_rates,
    enterprise_coverage,
    must_set_up_list,
)
from nuanxin.registry.models import PoliticalStatus, WorkerStatus
from tests.party.factories import make_enterprise, org
from tests.registry.factories import make_worker

pytestmark = pytest.mark.django_db
D = dt.date


def staff_enterprise(region, *, formal=0, probationary=0, left=0):
    enterprise = make_enterprise(region)
    for status, count in ((PoliticalStatus.PARTY_MEMBER, formal),
                          (PoliticalStatus.PROBATIONARY, probationary)):  # fmt: skip
        for _ in range(count):
            make_worker(region, political_status=status, enterprises=[enterprise])
    for _ in range(left):
        make_worker(
            region, political_status=PoliticalStatus.PARTY_MEMBER, enterprises=[enterprise],
            status=WorkerStatus.LEFT,
        )  # fmt: skip
    return enterprise


def must_names(path=""):
    return {row.name for row in must_set_up_list(path)}


def test_three_formal_members_and_no_organisation_must_set_up(tree):
    e = staff_enterprise(tree["A1a"], formal=3)
    assert must_names() == {e.name}


def test_two_formal_members_need_not(tree):
    staff_enterprise(tree["A1a"], formal=2)
    assert must_names() == set()


def test_probationary_members_do_not_count_towards_the_rule(tree):
    staff_enterprise(tree["A1a"], formal=2, probationary=3)
    assert must_names() == set()


def test_workers_who_left_do_not_count(tree):
    staff_enterprise(tree["A1a"], formal=2, left=4)
    assert must_names() == set()


def test_an_organisation_of_its_own_takes_it_off_the_list(tree):
    e = staff_enterprise(tree["A1a"], formal=5)
    org(tree["A1a"], attachment=Attachment.ENTERPRISE, enterprise=e)
    assert must_names() == set()
    assert enterprise_coverage("")[0].status == OWN


def test_cover_by_a_joint_organisation_does_not_take_it_off_the_list(tree):
    e = staff_enterprise(tree["A1a"], formal=3)
    joint = org(tree["A1"], kind=OrgKind.JOINT_COMMITTEE, covered_enterprises=[e])
    assert must_names() == {e.name}
    row = enterprise_coverage("")[0]
    assert (row.status, row.organisation_covered) == (JOINT, True)
    assert joint.covered_enterprises.get() == e


def test_an_instructor_gives_work_coverage_only(tree):
    e = staff_enterprise(tree["A1a"], formal=1)
    services.instructor_assign(actor=None, enterprise=e, name="李指导", on=D(2023, 1, 1))
    row = enterprise_coverage("")[0]
    assert (row.status, row.organisation_covered, row.work_covered) == (INSTRUCTOR, False, True)


def test_a_dissolved_organisation_no_longer_covers(tree):
    e = registered_on(staff_enterprise(tree["A1a"], formal=3), D(2020, 1, 1))
    own = org(tree["A1a"], attachment=Attachment.ENTERPRISE, enterprise=e)
    services.organisation_end(
        actor=None, organisation=own, status=OrgStatus.DISSOLVED, on=D(2024, 3, 1)
    )
    assert enterprise_coverage("")[0].status == NONE
    assert must_names() == {e.name}
    assert enterprise_coverage("", on=D(2024, 2, 1))[0].status == OWN


def test_the_threshold_is_a_setting(tree, settings):
    e = staff_enterprise(tree["A1a"], formal=2)
    settings.PARTY_MUST_SET_UP_MIN_MEMBERS = 2
    assert must_names() == {e.name}


def test_the_list_stays_inside_the_region_asked(tree):
    a = staff_enterprise(tree["A1a"], formal=3)
    staff_enterprise(tree["B1a"], formal=3)
    assert must_names(tree["A"].path) == {a.name}


def test_rates_per_county_and_street(tree):
    own = staff_enterprise(tree["A1a"], formal=3)
    org(tree["A1a"], attachment=Attachment.ENTERPRISE, enterprise=own)
    staff_enterprise(tree["A1b"])
    staff_enterprise(tree["A2a"], formal=4)
    covered = staff_enterprise(tree["B1a"])
    services.instructor_assign(actor=None, enterprise=covered, name="王指导", on=D(2023, 1, 1))
    services.mass_organisation_create(
        actor=None, name="工会", kind="union", region=tree["A1a"], founded_on=D(2022, 1, 1),
        enterprise=own,
    )  # fmt: skip

    city, counties = coverage_rates(tree.city)
    assert (city.enterprises, city.own, city.work_covered, city.must_set_up) == (4, 1, 2, 1)
    a, b = counties
    assert (a.enterprises, a.organisation_rate, a.must_set_up, a.mass_rate("union")) == (
        3, 33.3, 1, 33.3,
    )  # fmt: skip
    assert (b.enterprises, b.organisation_rate, b.work_rate) == (1, 0.0, 100.0)
    _county, streets = coverage_rates(tree["A"])
    assert [s.enterprises for s in streets] == [2, 1]


def registered_on(enterprise, day):
    """The enterprise as if entered in the registry on ``day`` (noon, local time)."""
    at = dt.datetime.combine(day, dt.time(12), tzinfo=ZoneInfo("Asia/Shanghai"))
    type(enterprise).objects.filter(pk=enterprise.pk).update(created_at=at)
    return enterprise


@pytest.fixture
def june(monkeypatch):
    """Today is 2024-06-15; the series asked is March to June."""
    monkeypatch.setattr("nuanxin.party.selectors.coverage.local_date", lambda *a: D(2024, 6, 15))


def test_month_by_month_follows_the_organisations_dates(tree, june):
    e = registered_on(staff_enterprise(tree["A1a"], formal=3), D(2023, 1, 5))
    org(tree["A1a"], attachment=Attachment.ENTERPRISE, enterprise=e, founded_on=D(2024, 4, 10))

    series = coverage_by_month(tree.city, months=4)

    assert [end for end, _ in series] == [
        D(2024, 3, 31),
        D(2024, 4, 30),
        D(2024, 5, 31),
        D(2024, 6, 15),
    ]
    assert [rate.own for _, rate in series] == [0, 1, 1, 1]


def series(region, figure):
    return [figure(rate) for _end, rate in coverage_by_month(region, months=4)]


def test_an_enterprise_registered_later_is_not_in_earlier_months(tree, june):
    registered_on(staff_enterprise(tree["A1a"]), D(2023, 1, 5))
    late = registered_on(staff_enterprise(tree["A1a"]), D(2024, 4, 30))
    services.instructor_assign(actor=None, enterprise=late, name="李指导", on=D(2024, 1, 1))

    assert series(tree.city, lambda r: r.enterprises) == [1, 2, 2, 2]
    # Its instructor, assigned before it was registered, counts only once it is.
    assert series(tree.city, lambda r: r.instructor) == [0, 1, 1, 1]
    assert series(tree.city, lambda r: r.work_rate) == [0.0, 50.0, 50.0, 50.0]
    _county, streets = coverage_rates(tree["A"], on=D(2024, 3, 31))
    assert [s.enterprises for s in streets] == [1, 0]


def test_a_dissolved_organisation_covers_until_the_month_it_ends(tree, june):
    e = registered_on(staff_enterprise(tree["A1a"]), D(2022, 1, 1))
    own = org(tree["A1a"], attachment=Attachment.ENTERPRISE, enterprise=e, founded_on=D(2022, 2, 1))
    joint = org(
        tree["A1"], kind=OrgKind.JOINT_COMMITTEE, covered_enterprises=[e], founded_on=D(2024, 5, 1)
    )
    services.organisation_end(
        actor=None, organisation=own, status=OrgStatus.DISSOLVED, on=D(2024, 4, 20)
    )

    assert series(tree.city, lambda r: r.own) == [1, 0, 0, 0]
    assert series(tree.city, lambda r: r.joint) == [0, 0, 1, 1]
    assert series(tree.city, lambda r: r.organisation_rate) == [100.0, 0.0, 100.0, 100.0]
    assert joint.founded_on == D(2024, 5, 1)


def test_an_instructor_covers_from_assignment_to_the_end_of_it(tree, june):
    e = registered_on(staff_enterprise(tree["B1a"]), D(2022, 1, 1))
    assignment = services.instructor_assign(
        actor=None, enterprise=e, name="王指导", on=D(2024, 4, 1)
    )
    services.instructor_end(actor=None, assignment=assignment, on=D(2024, 6, 1))

    assert series(tree.city, lambda r: r.instructor) == [0, 1, 1, 0]
    assert series(tree["B"], lambda r: r.work_covered) == [0, 1, 1, 0]
    assert series(tree["A"], lambda r: r.enterprises) == [0, 0, 0, 0]


def test_mass_organisations_month_by_month(tree, june):
    e = registered_on(staff_enterprise(tree["A1a"]), D(2022, 1, 1))
    registered_on(staff_enterprise(tree["A1a"]), D(2024, 5, 2))
    services.mass_organisation_create(
        actor=None, name="某企业工会", kind="union", region=tree["A1a"], founded_on=D(2024, 4, 3),
        enterprise=e,
    )  # fmt: skip
    services.mass_organisation_create(
        actor=None, name="某企业团支部", kind="league", region=tree["A1a"],
        founded_on=D(2024, 6, 16), enterprise=e,
    )  # fmt: skip

    assert series(tree.city, lambda r: r.mass.get("union", 0)) == [0, 1, 1, 1]
    assert series(tree.city, lambda r: r.mass_rate("union")) == [0.0, 100.0, 50.0, 50.0]
    # Founded tomorrow: not in today's figures yet.
    assert series(tree.city, lambda r: r.mass.get("league", 0)) == [0, 0, 0, 0]
