"""随手办 (errands) and 随时推 (livestreams): the worker's evidence on the claim, its checks (no
personal data), the staff's verification on it, and the points paid once."""

import datetime as dt

import pytest

from nuanxin.core.models import AuditLog
from nuanxin.points.models import Entry
from nuanxin.points.selectors import balance_of
from nuanxin.volunteering import services
from nuanxin.volunteering.models import (
    AwardRule,
    ErrandEvidence,
    LivestreamEvidence,
    Outcome,
    ProjectKind,
)
from nuanxin.volunteering.selectors import (
    channels_by_worker,
    channels_of,
    figures_by_region,
    service_by_month,
)
from nuanxin.volunteering.services.evidence import looks_personal
from tests.volunteering.factories import (
    DAY,
    code_of,
    community_staff,
    fund,
    make_project,
    only_session,
    seated,
    worker,
)

pytestmark = pytest.mark.django_db

HELPED = {"elderly": 2, "disabled": 1, "other": 0}


def _claim(tree, clock, kind, **project):
    """A seated claim of a per-task project of ``kind``; the clock is left inside the session."""
    clock.set(DAY - dt.timedelta(days=1), 9)
    made = make_project(
        tree,
        title="随手办·帮居民网上办事" if kind == ProjectKind.ERRANDS else "随时推·菠萝助农直播",
        kind=kind,
        award_rule=AwardRule.PER_TASK,
        points_per_task=30,
        **project,
    )
    claim = seated(tree, only_session(made))
    clock.set(DAY, 10)
    return claim


def _stream(claim, **changes):
    values = {
        "product": "徐闻菠萝",
        "platform": "douyin",
        "minutes": 90,
        "viewers": 1200,
        "items_sold": 85,
    }
    values.update(changes)
    return services.livestream_report(claim=claim, worker=claim.worker, **values)


@pytest.mark.parametrize(
    "text",
    [
        "帮王阿姨 13812345678 交电费",
        "电话 138 1234 5678",
        "0759-2345678",
        "身份证 44080219500101123X",
        "证件号４４０８０２１９５０",
    ],
)
def test_looks_personal__phone_and_id_numbers(text):
    assert looks_personal(text)


@pytest.mark.parametrize("text", ["代缴水电费 3 件", "网上预约挂号、社保认证", "2024年12月"])
def test_looks_personal__ordinary_notes_pass(text):
    assert not looks_personal(text)


def test_errands_report__records_counts_and_audits(tree, clock):
    claim = _claim(tree, clock, ProjectKind.ERRANDS)

    evidence = services.errands_report(
        claim=claim, worker=claim.worker, errands=4, helped=HELPED, note="代缴水电费、网上挂号"
    )

    stored = ErrandEvidence.objects.get(claim=claim)
    assert (stored.errands, stored.helped, stored.note) == (4, 3, "代缴水电费、网上挂号")
    assert evidence.pk == stored.pk
    assert AuditLog.objects.filter(action="volunteer.report_errands").count() == 1


@pytest.mark.parametrize(
    ("errands", "helped", "note", "code"),
    [
        (0, HELPED, "", "volunteering.bad_errands"),
        ("3", HELPED, "", "volunteering.bad_errands"),
        (201, HELPED, "", "volunteering.bad_errands"),
        (3, {"elderly": 0}, "", "volunteering.bad_helped"),
        (2, HELPED, "", "volunteering.bad_helped"),
        (3, {"elderly": -1, "other": 2}, "", "volunteering.bad_helped"),
        (3, {"name": 1}, "", "volunteering.bad_helped"),
        (3, HELPED, "李大爷 13912345678", "volunteering.personal_data"),
        (3, HELPED, "x" * 201, "volunteering.bad_evidence"),
    ],
)
def test_errands_report__bad_input_is_refused_and_changes_nothing(
    tree, clock, errands, helped, note, code
):
    claim = _claim(tree, clock, ProjectKind.ERRANDS)

    refused = code_of(
        lambda: services.errands_report(
            claim=claim, worker=claim.worker, errands=errands, helped=helped, note=note
        )
    )

    assert refused == code
    assert not ErrandEvidence.objects.exists()


@pytest.mark.parametrize(
    ("changes", "code"),
    [
        ({"product": ""}, "volunteering.bad_evidence"),
        ({"product": "菠萝 联系 13800001111"}, "volunteering.personal_data"),
        ({"platform": "tv"}, "volunteering.bad_platform"),
        ({"minutes": 0}, "volunteering.bad_minutes"),
        ({"minutes": 721}, "volunteering.bad_minutes"),
        ({"viewers": -1}, "volunteering.bad_livestream_count"),
        ({"items_sold": True}, "volunteering.bad_livestream_count"),
    ],
)
def test_livestream_report__bad_input_is_refused(tree, clock, changes, code):
    claim = _claim(tree, clock, ProjectKind.LIVESTREAM)

    assert code_of(lambda: _stream(claim, **changes)) == code
    assert not LivestreamEvidence.objects.exists()


def test_report__refused_on_another_kind_another_worker_and_before_the_start(tree, clock):
    claim = _claim(tree, clock, ProjectKind.LIVESTREAM)
    wrong_kind = code_of(
        lambda: services.errands_report(claim=claim, worker=claim.worker, errands=1, helped=HELPED)
    )
    other = worker(tree)
    not_mine = code_of(
        lambda: services.livestream_report(
            claim=claim,
            worker=other,
            product="菠萝",
            platform="douyin",
            minutes=10,
            viewers=1,
            items_sold=0,
        )
    )
    clock.set(DAY, 8)
    early = code_of(lambda: _stream(claim))

    assert wrong_kind == "volunteering.wrong_kind"
    assert not_mine == "volunteering.claim_not_found"
    assert early == "volunteering.session_not_started"


def test_verify__without_evidence_is_refused_but_a_no_show_is_recorded(tree, clock):
    claim = _claim(tree, clock, ProjectKind.ERRANDS)
    staff = community_staff(tree)
    clock.set(DAY, 12)

    refused = code_of(
        lambda: services.attendance_verify(claim=claim, staff=staff, outcome=Outcome.FULL)
    )
    absent = services.attendance_verify(claim=claim, staff=staff, outcome=Outcome.NO_SHOW)

    assert refused == "volunteering.evidence_required"
    assert absent.outcome == Outcome.NO_SHOW and absent.points_awarded == 0


def test_verify__pays_the_project_rule_once_and_freezes_the_evidence(tree, clock):
    fund(tree, amount=500)
    claim = _claim(tree, clock, ProjectKind.LIVESTREAM)
    _stream(claim)
    staff = community_staff(tree)
    clock.set(DAY, 12)

    first = services.attendance_verify(claim=claim, staff=staff, outcome=Outcome.FULL)
    again = services.attendance_verify(claim=claim, staff=staff, outcome=Outcome.FULL)
    frozen = code_of(lambda: _stream(claim, items_sold=9999))

    assert first.points_awarded == 30 == again.points_awarded
    assert not first.hours_beyond_scans  # online: the evidence is the basis, not scans
    assert Entry.objects.filter(reference=f"volunteer:{first.pk}").count() == 1
    assert balance_of(claim.worker).posted == 30
    assert frozen == "volunteering.already_verified"
    assert LivestreamEvidence.objects.get(claim=claim).items_sold == 85


def test_counts__only_verified_service_counts_per_region_worker_and_month(tree, clock):
    fund(tree, amount=500)
    errand = _claim(tree, clock, ProjectKind.ERRANDS)
    services.errands_report(claim=errand, worker=errand.worker, errands=5, helped=HELPED)
    stream = _claim(tree, clock, ProjectKind.LIVESTREAM)
    _stream(stream)
    pending = _claim(tree, clock, ProjectKind.LIVESTREAM)
    _stream(pending)  # reported, never verified: not counted
    staff = community_staff(tree)
    clock.set(DAY, 12)
    for claim in (errand, stream):
        services.attendance_verify(claim=claim, staff=staff, outcome=Outcome.FULL)

    region = figures_by_region(within=tree.city.path)[tree["A1a"].pk]
    months = service_by_month(within="", since=dt.datetime(2031, 1, 1, tzinfo=dt.UTC))

    assert (region["errands"], region["livestreams"], region["livestream_items"]) == (5, 1, 85)
    assert months[tree["A1a"].pk]["errands"] == {"2031-03": 5}
    assert months[tree["A1a"].pk]["livestreams"] == {"2031-03": 1}
    by_worker = channels_by_worker(within=tree.city.path)
    assert by_worker[errand.worker_id]["errands"] == 5
    assert by_worker[stream.worker_id]["livestreams"] == 1
    assert pending.worker_id not in by_worker
    assert channels_of(stream.worker) == {"leaflets": 0, "errands": 0, "livestreams": 1}
    assert channels_of(pending.worker) == {"leaflets": 0, "errands": 0, "livestreams": 0}
