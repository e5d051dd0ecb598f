"""Pickup: the keeper finds the order by its code at their station and confirms it."""

import pytest

from nuanxin.accounts.models import Role
from nuanxin.points import services as points
from nuanxin.points.models import HoldStatus
from nuanxin.store import services
from nuanxin.store.models import Movement, OrderStatus, Stock
from nuanxin.store.services.pickup import MAX_FAILURES_PER_USER
from tests.factories import staff
from tests.helpers import error_code
from tests.store.factories import (
    assert_store_clean,
    keeper_of,
    make_item,
    station_at,
    worker_with_points,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def setup(tree, clock):
    keeper = keeper_of(tree)
    station = station_at(lon=110.05, lat=21.05, name="甲驿站", keepers=[keeper])
    services.shop_open(actor=None, station=station)
    item = make_item(tree, price=60)
    services.stock_restock(actor=keeper, station=station, item=item, quantity=2)
    person, account = worker_with_points(tree, 100)
    order = services.order_create(worker=person, station=station, item=item)
    return keeper, station, item, person, account, order


def _other_shop(tree, item):
    other_keeper = keeper_of(tree, "A1b")
    other = station_at(lon=110.15, lat=21.05, name="乙驿站", keepers=[other_keeper])
    services.shop_open(actor=None, station=other)
    services.stock_restock(actor=None, station=other, item=item, quantity=1)
    return other_keeper, other


def test_confirming_posts_the_hold_and_hands_the_unit_out(setup):
    keeper, station, item, person, account, order = setup

    found = services.pickup_find(actor=keeper, station=station, code=order.pickup_code)
    assert found.pk == order.pk and found.worker == person
    done = services.pickup_confirm(
        actor=keeper, station=station, code=order.pickup_code, order_id=order.public_id
    )

    assert done.status == OrderStatus.PICKED_UP and done.resolved_by == keeper
    order.hold.refresh_from_db()
    assert order.hold.status == HoldStatus.POSTED
    account.refresh_from_db()
    assert (account.posted, account.held) == (40, 0)
    assert points.shop_sink().posted == 60
    stock = Stock.objects.get(station=station, item=item)
    assert (stock.on_shelf, stock.reserved, stock.handed_out) == (1, 0, 1)
    assert_store_clean()


def test_a_repeated_confirmation_of_the_same_order_changes_nothing(setup):
    keeper, station, _item, _person, account, order = setup
    kwargs = {"actor": keeper, "station": station, "code": order.pickup_code}
    services.pickup_confirm(**kwargs, order_id=order.public_id)

    again = services.pickup_confirm(**kwargs, order_id=order.public_id)

    assert again.pk == order.pk
    assert Movement.objects.filter(order=order, kind="hand_out").count() == 1
    account.refresh_from_db()
    assert account.posted == 40
    # Without the order it was shown, the used code is recognised as handed out already.
    assert error_code(lambda: services.pickup_confirm(**kwargs)) == "store.already_picked_up"


def test_a_code_does_not_work_at_another_station(setup, tree):
    _keeper, _station, item, _person, _account, order = setup
    other_keeper, other = _other_shop(tree, item)

    assert error_code(
        lambda: services.pickup_confirm(actor=other_keeper, station=other, code=order.pickup_code)
    ) == ("store.code_not_found")
    order.refresh_from_db()
    assert order.status == OrderStatus.PENDING


def test_a_keeper_cannot_act_for_a_station_they_do_not_keep(setup, tree):
    _keeper, station, item, _person, _account, order = setup
    other_keeper, _other = _other_shop(tree, item)
    assert error_code(
        lambda: services.pickup_find(actor=other_keeper, station=station, code=order.pickup_code)
    ) == ("stations.not_found")


def test_region_staff_of_the_community_may_hand_out(setup, tree):
    _keeper, station, _item, _person, _account, order = setup
    community = staff(Role.COMMUNITY_STAFF, tree["A1a"])
    done = services.pickup_confirm(actor=community, station=station, code=order.pickup_code)
    assert done.status == OrderStatus.PICKED_UP
    outsider = staff(Role.COMMUNITY_STAFF, tree["B1a"])
    assert error_code(
        lambda: services.pickup_find(actor=outsider, station=station, code="123456")
    ) == ("stations.not_found")


@pytest.mark.parametrize("typed", ["12345", "abcdef", "", "1234567"])
def test_malformed_codes(setup, typed):
    keeper, station, *_ = setup
    assert error_code(lambda: services.pickup_find(actor=keeper, station=station, code=typed)) == (
        "store.bad_code"
    )


def test_codes_are_read_with_spaces_and_dashes(setup):
    keeper, station, *_rest, order = setup
    spaced = f"{order.pickup_code[:3]} {order.pickup_code[3:]}"
    assert services.pickup_find(actor=keeper, station=station, code=spaced).pk == order.pk


def test_guessing_is_stopped_after_a_few_wrong_codes(setup):
    keeper, station, *_rest, order = setup
    wrong = f"{(int(order.pickup_code) + 1) % 1_000_000:06d}"
    for _ in range(MAX_FAILURES_PER_USER):
        assert error_code(
            lambda: services.pickup_find(actor=keeper, station=station, code=wrong)
        ) == ("store.code_not_found")

    # Even the right code is refused now: the lookups are blocked for a while.
    refused = error_code(
        lambda: services.pickup_find(actor=keeper, station=station, code=order.pickup_code)
    )
    assert refused == "store.too_many_attempts"


def test_an_expired_order_cannot_be_picked_up(setup, clock):
    keeper, station, *_rest, order = setup
    clock.advance(hours=73)
    assert error_code(
        lambda: services.pickup_confirm(actor=keeper, station=station, code=order.pickup_code)
    ) == ("store.order_expired")
    order.refresh_from_db()
    assert order.status == OrderStatus.PENDING  # until the sweep expires it


def test_a_code_shown_for_one_order_cannot_confirm_another(setup, tree):
    keeper, station, item, *_rest, order = setup
    second_worker, _ = worker_with_points(tree, 100)
    second = services.order_create(worker=second_worker, station=station, item=item)
    assert error_code(
        lambda: services.pickup_confirm(
            actor=keeper, station=station, code=second.pickup_code, order_id=order.public_id
        )
    ) == ("store.code_mismatch")


def test_with_a_redemption_day_goods_go_out_only_on_that_day(tree, clock):
    keeper = keeper_of(tree)
    station = station_at(lon=110.05, lat=21.05, keepers=[keeper])
    services.shop_open(actor=None, station=station, redemption_day=20)
    item = make_item(tree, price=10)
    services.stock_restock(actor=None, station=station, item=item, quantity=1)
    person, _ = worker_with_points(tree, 100)
    order = services.order_create(worker=person, station=station, item=item)
    kwargs = {"actor": keeper, "station": station, "code": order.pickup_code}

    assert error_code(lambda: services.pickup_confirm(**kwargs)) == "store.not_redemption_day"
    clock.set(2030, 5, 20, 15, 0)
    assert services.pickup_confirm(**kwargs).status == OrderStatus.PICKED_UP


def test_a_keeper_never_confirms_an_order_of_their_own(setup):
    keeper, station, _item, person, _account, order = setup
    # the worker later becomes this station's keeper, with the order still waiting
    person.role = Role.STATION_KEEPER
    person.save(update_fields=["role"])
    station.keepers.add(person)

    call = lambda: services.pickup_confirm(  # noqa: E731
        actor=person, station=station, code=order.pickup_code
    )

    assert error_code(call) == "store.own_order"
    order.refresh_from_db()
    assert order.status == OrderStatus.PENDING
    assert services.pickup_confirm(actor=keeper, station=station, code=order.pickup_code)
    assert_store_clean()


def test_a_repeated_confirmation_says_when_it_was_handed_out_and_is_no_wrong_code(setup):
    keeper, station, _item, _person, _account, order = setup
    services.pickup_confirm(actor=keeper, station=station, code=order.pickup_code)

    calls = [
        lambda: services.pickup_confirm(actor=keeper, station=station, code=order.pickup_code)
        for _ in range(MAX_FAILURES_PER_USER + 1)
    ]
    codes = {error_code(call) for call in calls}

    assert codes == {"store.already_picked_up"}
    # a wrong code still gets the ordinary answer: the repeats were not counted against the keeper
    wrong = "000000" if order.pickup_code != "000000" else "111111"
    assert (
        error_code(lambda: services.pickup_find(actor=keeper, station=station, code=wrong))
        == "store.code_not_found"
    )
