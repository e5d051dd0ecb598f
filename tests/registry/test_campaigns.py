import datetime as dt

import pytest

from nuanxin.accounts.models import Role
from nuanxin.registry.importing.engine import registry_import, rows_workbook
from nuanxin.registry.models import SurveyFinding
from nuanxin.registry.selectors import campaign_summary
from nuanxin.registry.services import (
    campaign_close,
    campaign_create,
    finding_record_enterprise,
    finding_record_member,
    finding_record_organisation,
)
from tests.factories import staff
from tests.helpers import error_code
from tests.registry.factories import make_enterprise, make_worker

pytestmark = pytest.mark.django_db


@pytest.fixture
def campaign(city):
    make_enterprise(city["haisheng"], name="美团外卖南调站")
    make_worker(city["haisheng"], political_status="党员")
    return campaign_create(
        actor=staff(Role.COUNTY_ADMIN, city["potou"]),
        name="坡头区三找行动",
        start_date=dt.date(2024, 3, 1),
        end_date=dt.date(2024, 6, 30),
        target_regions=[city["nandiao"], city["potou_town"]],
    )


def test_campaign_create__keeps_the_figures_before_as_baseline(campaign, city):
    assert campaign.baseline[city["nandiao"].code] == {
        "enterprises": 1, "workers": 1, "party_members": 1,
        "registered_enterprises": 0, "registered_workers": 0,
    }  # fmt: skip
    assert campaign.baseline[city["potou_town"].code]["enterprises"] == 0


def test_campaign_create__targets_must_be_in_the_jurisdiction(city):
    code = error_code(lambda: campaign_create(
        actor=staff(Role.STREET_ADMIN, city["nandiao"]), name="x", start_date=dt.date(2024, 1, 1),
        end_date=dt.date(2024, 2, 1), target_regions=[city["potou"]],
    ))  # fmt: skip

    assert code == "auth.out_of_jurisdiction"


def test_findings__new_updated_confirmed_and_the_change_kept(campaign, city):
    admin = staff(Role.COUNTY_ADMIN, city["potou"])
    known = make_enterprise(city["potou_c"], name="顺丰坡头营业部", worker_count=10)
    quiet = make_enterprise(city["potou_c"], name="中通坡头网点")

    new = finding_record_enterprise(
        campaign=campaign,
        actor=admin,
        data={
            "name": "南调直播公司",
            "kind": "直播",
            "industry": "直播",
            "region": city["nandiao_c"],
        },
    )
    updated = finding_record_enterprise(
        campaign=campaign, actor=admin, enterprise=known, data={"worker_count": 14}
    )
    confirmed = finding_record_enterprise(campaign=campaign, actor=admin, enterprise=quiet)

    assert (new.outcome, updated.outcome, confirmed.outcome) == ("new", "updated", "confirmed")
    assert updated.changes == {"worker_count": [10, 14]}
    now, found = campaign_summary(campaign)
    assert found["enterprise"] == {"new": 1, "updated": 1, "confirmed": 1}
    assert now[city["nandiao"].code]["enterprises"] == 2


def test_findings__a_member_must_be_a_party_member(campaign, city):
    masses = make_worker(city["haisheng"])

    code = error_code(lambda: finding_record_member(campaign=campaign, actor=None, worker=masses))
    revealed = finding_record_member(
        campaign=campaign, actor=None, worker=masses, data={"political_status": "预备党员"}
    )

    assert code == "registry.not_a_party_member"
    assert revealed.outcome == "updated"
    assert revealed.changes == {"political_status": ["masses", "probationary"]}


def test_findings__outside_the_targets_or_after_closing_are_refused(campaign, city):
    elsewhere = make_enterprise(city["xinyuan_c"])
    inside = make_enterprise(city["potou_c"])

    outside = error_code(lambda: finding_record_enterprise(
        campaign=campaign, actor=None, enterprise=elsewhere
    ))  # fmt: skip
    finding_record_organisation(
        campaign=campaign, actor=None, name="南调街道快递员工会", organisation_kind="union",
        region=city["nandiao"],
    )  # fmt: skip
    twice = error_code(lambda: finding_record_organisation(
        campaign=campaign, actor=None, name="南调街道快递员工会", organisation_kind="union",
        region=city["nandiao"],
    ))  # fmt: skip
    campaign_close(campaign=campaign, actor=None)
    closed = error_code(lambda: finding_record_enterprise(
        campaign=campaign, actor=None, enterprise=inside
    ))  # fmt: skip

    assert (outside, twice, closed) == (
        "registry.outside_campaign",
        "registry.already_found",
        "registry.campaign_closed",
    )


def test_campaign_close__keeps_the_figures_at_closing(campaign, city):
    campaign = campaign_close(campaign=campaign, actor=None)
    make_enterprise(city["haisheng"])

    now, _found = campaign_summary(campaign)

    assert now[city["nandiao"].code]["enterprises"] == 1  # not 2: closing fixed the figures


def test_import_for_a_campaign__records_what_it_found_once(campaign, city):
    rows = rows_workbook([
        ("enterprise", [{"name": "美团外卖南调站", "county": "坡头区"},
                        {"name": "南调同城跑腿", "kind": "站点", "industry": "外卖",
                         "county": "坡头区", "street": "南调街道"}]),
        ("worker", [{"name": "党员甲", "phone": "13900008888", "occupation": "骑手",
                     "political_status": "党员", "work_region": "海盛社区"},
                    {"name": "群众乙", "phone": "13900009999", "occupation": "骑手",
                     "work_region": "海盛社区"}]),
    ])  # fmt: skip

    registry_import(workbook=rows, actor=None, campaign=campaign)
    registry_import(workbook=rows, actor=None, campaign=campaign)

    found = set(SurveyFinding.objects.values_list("kind", "outcome"))
    assert found == {("enterprise", "confirmed"), ("enterprise", "new"), ("member", "new")}
    assert SurveyFinding.objects.count() == 3
