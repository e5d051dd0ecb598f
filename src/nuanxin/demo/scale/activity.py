"""Scale data, second part: what the workers did, and the ledger that pays for it.

Reports over three years (older ones mostly handled, recent ones still in the queues), verified
volunteer attendances, shop orders in every state, and check-ins of the last months (visits are
kept only that long) until the ledger holds its share of entries. Every earning is an entry
from the community's pool; each pool is allocated exactly what it paid out here by its county's
fund, which the city fund allocated from a top-up out of issuance. So pools and funds end where
they began, the issuance account (which alone may go negative) and the shop's account move by
the totals, and every worker's balance and holds are the sums of their rows.
"""

import datetime as dt
import uuid
from collections import defaultdict
from decimal import Decimal

from django.db.models import F

from nuanxin.demo.scale.people import City, Place
from nuanxin.points.models import Account, AccountKind, Entry, EntryKind, Hold, HoldStatus
from nuanxin.points.reasons import (
    BUDGET_ALLOCATION,
    BUDGET_TOP_UP,
    REPORT_ACCEPTED,
    STATION_CHECKIN,
    STORE_REDEMPTION,
    VOLUNTEER_VERIFIED,
)
from nuanxin.reports.models import Category, Report, State
from nuanxin.stations.models import Visit
from nuanxin.store.models import Item, Movement, MovementKind, Order, OrderStatus, Stock
from nuanxin.volunteering.models import (
    Attendance,
    AttendanceStatus,
    Award,
    AwardStatus,
    CheckMethod,
    Claim,
    ClaimStatus,
    Outcome,
    Project,
    ProjectKind,
    ProjectStatus,
    Session,
)

PAID_STATES = {State.ACCEPTED, State.DISPATCHED, State.RESOLVED, State.CLOSED}
OLD_STATES = [
    (State.RESOLVED, 55),
    (State.CLOSED, 15),
    (State.REJECTED, 12),
    (State.DUPLICATE, 5),
    (State.ACCEPTED, 5),
    (State.DISPATCHED, 8),
]
RECENT_STATES = [
    (State.SUBMITTED, 35),
    (State.ACCEPTED, 25),
    (State.DISPATCHED, 20),
    (State.RESOLVED, 15),
    (State.REJECTED, 5),
]
VISIT_DAYS = 180
CHECKIN_POINTS = 2
VOLUNTEER_HOURS = Decimal("2.00")
VOLUNTEER_POINTS = 20
ATTENDANCES_PER_SESSION = 25


class Ledger:
    """Entries as they are generated, and what each account's balance becomes."""

    def __init__(self, ctx, city: City):
        self.ctx, self.entries = ctx, ctx.table(Entry)
        self.accounts = ctx.table(Account)
        self.keys = dict(Account.objects.values_list("key", "id"))
        self.new: dict[str, dict] = {}
        self.posted: dict[int, int] = defaultdict(int)
        self.held: dict[int, int] = defaultdict(int)
        self.paid_out: dict[int, int] = defaultdict(int)  # pool account -> earned from it
        self.county_of_pool: dict[int, int] = {}
        self.city = city

    def account(self, key: str, kind: str, **fields) -> int:
        if key not in self.keys:
            pk = self.accounts.next_id
            self.accounts.next_id += 1
            self.keys[key] = pk
            self.new[key] = {"id": pk, "key": key, "kind": kind, **fields}
        return self.keys[key]

    def worker(self, user_id: int) -> int:
        return self.account(f"worker:{user_id}", AccountKind.WORKER, user_id=user_id)

    def pool(self, place: Place) -> int:
        pk = self.account(f"pool:{place.id}", AccountKind.COMMUNITY_POOL, region_id=place.id)
        self.county_of_pool[pk] = place.county_id
        return pk

    def move(
        self,
        *,
        transfer_id: str,
        kind: str,
        debit: int,
        credit: int,
        amount: int,
        reason: str,
        at: dt.datetime,
        reference: str = "",
        hold_id: int | None = None,
    ) -> int:
        self.posted[debit] -= amount
        self.posted[credit] += amount
        return self.entries.add(
            transfer_id=transfer_id, kind=kind, debit_id=debit, credit_id=credit,
            amount=amount, reason=reason, reference=reference, created_at=at, hold_id=hold_id,
        )  # fmt: skip

    def earn(
        self,
        *,
        transfer_id: str,
        pool: int,
        worker: int,
        amount: int,
        reason: str,
        at: dt.datetime,
        reference: str = "",
    ) -> None:
        self.paid_out[pool] += amount
        self.move(transfer_id=transfer_id, kind=EntryKind.EARN, debit=pool, credit=worker,
                  amount=amount, reason=reason, at=at, reference=reference)  # fmt: skip

    def fund_the_pools(self) -> None:
        """Allocate each pool what it paid out, through its county, from one city top-up."""
        at = self.ctx.now - dt.timedelta(days=3 * 365 + 1)
        city_fund = self.account(f"fund:{self.city.city_id}", AccountKind.FUND,
                                 region_id=self.city.city_id)  # fmt: skip
        issuance = self.account("issuance", AccountKind.ISSUANCE, may_go_negative=True)
        per_county: dict[int, int] = defaultdict(int)
        for pool, amount in self.paid_out.items():
            per_county[self.county_of_pool[pool]] += amount
        total = sum(per_county.values())
        if not total:
            return
        stamp = self.ctx.now.strftime("%Y%m%d%H%M%S")
        self.move(transfer_id=f"scale:{stamp}:topup", kind=EntryKind.TOP_UP, debit=issuance,
                  credit=city_fund, amount=total, reason=BUDGET_TOP_UP, at=at)  # fmt: skip
        county_fund = {}
        for county, amount in sorted(per_county.items()):
            county_fund[county] = self.account(f"fund:{county}", AccountKind.FUND,
                                               region_id=county)  # fmt: skip
            self.move(transfer_id=f"scale:{stamp}:alloc:{county}", kind=EntryKind.ALLOCATION,
                      debit=city_fund, credit=county_fund[county], amount=amount,
                      reason=BUDGET_ALLOCATION, at=at)  # fmt: skip
        for pool, amount in sorted(self.paid_out.items()):
            if amount:
                self.move(transfer_id=f"scale:{stamp}:alloc:pool:{pool}",
                          kind=EntryKind.ALLOCATION, debit=county_fund[self.county_of_pool[pool]],
                          credit=pool, amount=amount, reason=BUDGET_ALLOCATION, at=at)  # fmt: skip

    def write_accounts(self) -> None:
        """New accounts carry their final balances; existing ones move by what was added."""
        for fields in self.new.values():
            pk = fields["id"]
            self.accounts.add(**fields, posted=self.posted.pop(pk, 0), held=self.held.pop(pk, 0))
        for pk, delta in self.posted.items():
            if delta:
                Account.objects.filter(pk=pk).update(posted=F("posted") + delta)
        for pk, delta in self.held.items():
            if delta:
                Account.objects.filter(pk=pk).update(held=F("held") + delta)


def _when(ctx, days: int) -> dt.datetime:
    return ctx.now - dt.timedelta(seconds=ctx.rng.randrange(max(1, days * 86400)))


def _pick(rng, weighted: list[tuple[str, int]]) -> str:
    return rng.choices([s for s, _ in weighted], weights=[w for _, w in weighted])[0]


def _reports(ctx, city: City, ledger: Ledger) -> None:
    rng, reports = ctx.rng, ctx.table(Report)
    categories = list(
        Category.objects.filter(is_active=True).values_list(
            "id", "name", "department_id", "points", "handling_hours"
        )
    )
    for i in range(ctx.sizes.reports):
        category_id, name, department_id, points, hours = rng.choice(categories)
        created = _when(ctx, 3 * 365)
        recent = ctx.now - created < dt.timedelta(days=30)
        state = _pick(rng, RECENT_STATES if recent else OLD_STATES)
        reporter, place, _job = rng.choice(city.workers)
        anonymous = rng.random() < 0.15
        accepted = resolved = None
        if state in PAID_STATES:
            accepted = created + dt.timedelta(seconds=rng.randrange(3600, 48 * 3600))
        if state in (State.RESOLVED, State.CLOSED):
            resolved = accepted + dt.timedelta(seconds=rng.randrange(3600, 10 * 86400))
        changed = min(ctx.now, resolved or accepted or created + dt.timedelta(hours=6))
        asked = 0 if anonymous else points
        paid = asked if state in PAID_STATES and asked else 0
        report_id = reports.add(
            category_id=category_id,
            reporter_id=None if anonymous else reporter,
            contact_name="市民" if anonymous else "",
            description=f"{name}：规模数据第 {i + 1} 条",
            lon=place.lon + rng.uniform(-0.008, 0.008),
            lat=place.lat + rng.uniform(-0.008, 0.008),
            region_id=place.id,
            community_id=place.id,
            department_id=department_id,
            state=state,
            points_requested=asked,
            points_awarded=paid,
            created_at=created,
            updated_at=changed,
            state_changed_at=changed,
            due_at=created + dt.timedelta(hours=hours),
            accepted_at=accepted and min(accepted, ctx.now),
            resolved_at=resolved and min(resolved, ctx.now),
        )
        if paid:
            ledger.earn(
                transfer_id=f"report:{report_id}:accept",
                pool=ledger.pool(place),
                worker=ledger.worker(reporter),
                amount=paid,
                reason=REPORT_ACCEPTED,
                at=min(accepted, ctx.now),
                reference=f"report:{report_id}",
            )


def _volunteering(ctx, city: City, ledger: Ledger) -> None:
    rng = ctx.rng
    projects, sessions, claims = ctx.table(Project), ctx.table(Session), ctx.table(Claim)
    attendances, awards = ctx.table(Attendance), ctx.table(Award)
    left = ctx.sizes.attendances
    while left > 0:
        place = rng.choice(city.communities)
        day = (ctx.now - dt.timedelta(days=rng.randrange(2, 3 * 365))).date()
        starts = dt.datetime.combine(day, dt.time(rng.randrange(1, 10)), dt.UTC)
        ends = starts + dt.timedelta(hours=2)
        project_id = projects.add(
            title=f"社区志愿服务（规模数据）{projects.next_id}",
            kind=rng.choice([ProjectKind.LEAFLETS, ProjectKind.COMMUNITY_SERVICE]),
            region_id=place.id, street_id=place.street_id, pool_region_id=place.id,
            place_name="社区党群服务中心", place_lon=place.lon, place_lat=place.lat,
            first_date=starts.date(), last_date=starts.date(),
            start_time=starts.time(), end_time=ends.time(), places=ATTENDANCES_PER_SESSION,
            status=ProjectStatus.CLOSED, created_at=starts - dt.timedelta(days=7),
            published_at=starts - dt.timedelta(days=7),
        )  # fmt: skip
        session_id = sessions.add(
            project_id=project_id, starts_at=starts, ends_at=ends, places=ATTENDANCES_PER_SESSION
        )
        chosen = {rng.randrange(len(city.workers)) for _ in range(ATTENDANCES_PER_SESSION)}
        for n, index in enumerate(sorted(chosen)[:left]):
            user_id = city.workers[index][0]
            claim_id = claims.add(
                session_id=session_id, project_id=project_id, worker_id=user_id,
                status=ClaimStatus.CLAIMED, code=f"{n + 1:06d}",
                created_at=starts - dt.timedelta(days=2), seated_at=starts - dt.timedelta(days=2),
            )  # fmt: skip
            verified = ends + dt.timedelta(hours=rng.randrange(1, 48))
            attendance_id = attendances.add(
                claim_id=claim_id, session_id=session_id, project_id=project_id,
                worker_id=user_id, status=AttendanceStatus.VERIFIED, checked_in_at=starts,
                checkin_method=CheckMethod.QR, checked_out_at=ends, checkout_method=CheckMethod.QR,
                hours_recorded=VOLUNTEER_HOURS, outcome=Outcome.FULL,
                hours_verified=VOLUNTEER_HOURS, verified_at=verified,
                points_awarded=VOLUNTEER_POINTS, revision=1,
            )  # fmt: skip
            transfer_id = f"volunteer:{attendance_id}:verify"
            awards.add(
                attendance_id=attendance_id, revision=1, transfer_id=transfer_id,
                points_requested=VOLUNTEER_POINTS, points_granted=VOLUNTEER_POINTS,
                status=AwardStatus.AWARDED, created_at=verified, settled_at=verified,
            )  # fmt: skip
            ledger.earn(
                transfer_id=transfer_id, pool=ledger.pool(place), worker=ledger.worker(user_id),
                amount=VOLUNTEER_POINTS, reason=VOLUNTEER_VERIFIED, at=verified,
                reference=f"volunteer.attendance:{attendance_id}",
            )  # fmt: skip
            left -= 1


def _checkins(ctx, city: City, ledger: Ledger, count: int) -> None:
    rng, visits = ctx.rng, ctx.table(Visit)
    seen: set[tuple[int, dt.date]] = set()
    today = ctx.now.date()
    while count > 0 and city.stations:
        user_id, _place, occupation = rng.choice(city.workers)
        day = today - dt.timedelta(days=rng.randrange(1, VISIT_DAYS))
        if (user_id, day) in seen:
            continue
        seen.add((user_id, day))
        station_id, place = rng.choice(city.stations)
        at = dt.datetime.combine(day, dt.time(rng.randrange(8, 21), rng.randrange(60)), dt.UTC)
        visits.add(
            station_id=station_id, worker_id=user_id, day=day, first_at=at, last_at=at,
            occupation=occupation, points_awarded=CHECKIN_POINTS,
        )  # fmt: skip
        ledger.earn(
            transfer_id=f"checkin:{user_id}:{day.isoformat()}", pool=ledger.pool(place),
            worker=ledger.worker(user_id), amount=CHECKIN_POINTS, reason=STATION_CHECKIN, at=at,
        )  # fmt: skip
        count -= 1


def _orders(ctx, city: City, ledger: Ledger) -> None:
    """Orders by workers who can afford them; each item at most once a month per worker."""
    rng = ctx.rng
    orders, holds, movements = ctx.table(Order), ctx.table(Hold), ctx.table(Movement)
    items = sorted(
        Item.objects.filter(retired=False).values_list("id", "points_price"), key=lambda r: r[1]
    )
    if not items or not city.shops:
        return
    shop_account = ledger.account("shop", AccountKind.SHOP_SINK)
    available = {
        user_id: ledger.posted[ledger.keys[f"worker:{user_id}"]]
        for user_id, _p, _o in city.workers
        if f"worker:{user_id}" in ledger.keys
    }
    buyers = [u for u, points in available.items() if points >= items[0][1]]
    per_stock: dict[tuple[int, int], dict[str, int]] = defaultdict(lambda: defaultdict(int))
    codes: set[tuple[int, str]] = set()
    monthly: set[tuple[int, int, str]] = set()
    made = attempts = 0
    while made < ctx.sizes.orders and buyers and attempts < 20 * ctx.sizes.orders:
        attempts += 1
        user_id = rng.choice(buyers)
        affordable = [it for it in items if it[1] <= available[user_id]]
        if not affordable:
            buyers.remove(user_id)
            continue
        item_id, price = rng.choice(affordable)
        created = _when(ctx, 3 * 365)
        if (user_id, item_id, created.strftime("%Y%m")) in monthly:
            continue
        monthly.add((user_id, item_id, created.strftime("%Y%m")))
        station_id = rng.choice(city.shops)
        age = ctx.now - created
        if age < dt.timedelta(days=2):
            status = OrderStatus.PENDING if rng.random() < 0.7 else OrderStatus.PICKED_UP
        else:
            status = _pick(rng, [(OrderStatus.PICKED_UP, 85), (OrderStatus.CANCELLED, 10),
                                 (OrderStatus.EXPIRED, 5)])  # fmt: skip
        code = f"{rng.randrange(10**6):06d}"
        if status == OrderStatus.PENDING:
            if (station_id, code) in codes:
                continue
            codes.add((station_id, code))
        public_id = uuid.uuid4()
        worker = ledger.worker(user_id)
        resolved = None if status == OrderStatus.PENDING else created + dt.timedelta(hours=5)
        hold_status, step = {
            OrderStatus.PENDING: (HoldStatus.PENDING, None),
            OrderStatus.PICKED_UP: (HoldStatus.POSTED, "post"),
            OrderStatus.CANCELLED: (HoldStatus.VOIDED, "void"),
            OrderStatus.EXPIRED: (HoldStatus.EXPIRED, "expire"),
        }[status]
        hold_id = holds.add(
            transfer_id=f"store:{public_id.hex}:hold", debit_id=worker, credit_id=shop_account,
            amount=price, reason=STORE_REDEMPTION, reference=f"store.order:{public_id.hex}",
            actor_id=user_id, status=hold_status, created_at=created,
            expires_at=created + dt.timedelta(hours=96), resolved_at=resolved,
            resolution_transfer_id=step and f"store:{public_id.hex}:{step}",
        )  # fmt: skip
        order_id = orders.add(
            public_id=public_id, worker_id=user_id, station_id=station_id, item_id=item_id,
            points=price, status=status, pickup_code=code, hold_id=hold_id,
            expires_at=created + dt.timedelta(hours=72), created_at=created, resolved_at=resolved,
        )  # fmt: skip
        stock = per_stock[(station_id, item_id)]
        if not stock["id"]:
            stock["id"] = ctx.table(Stock).next_id
            ctx.table(Stock).next_id += 1
        movements.add(stock_id=stock["id"], kind=MovementKind.RESERVE, quantity=1,
                      order_id=order_id, created_at=created)  # fmt: skip
        stock["reserve"] += 1
        if status == OrderStatus.PENDING:
            ledger.held[worker] += price
            stock["pending"] += 1
        elif status == OrderStatus.PICKED_UP:
            ledger.move(transfer_id=f"store:{public_id.hex}:post", kind=EntryKind.HOLD_POST,
                        debit=worker, credit=shop_account, amount=price,
                        reason=STORE_REDEMPTION, at=resolved, hold_id=hold_id,
                        reference=f"store.order:{public_id.hex}")  # fmt: skip
            movements.add(stock_id=stock["id"], kind=MovementKind.HAND_OUT, quantity=1,
                          order_id=order_id, created_at=resolved)  # fmt: skip
            stock["hand_out"] += 1
        else:
            movements.add(stock_id=stock["id"], kind=MovementKind.RELEASE, quantity=1,
                          order_id=order_id, created_at=resolved)  # fmt: skip
            stock["release"] += 1
        if status != OrderStatus.CANCELLED and status != OrderStatus.EXPIRED:
            available[user_id] -= price
        made += 1
    _stocks(ctx, per_stock)


def _stocks(ctx, per_stock: dict) -> None:
    start = ctx.now - dt.timedelta(days=3 * 365 + 1)
    stocks, movements = ctx.table(Stock), ctx.table(Movement)
    for (station_id, item_id), moved in sorted(per_stock.items()):
        restocked = moved["reserve"] + 20
        movements.add(stock_id=moved["id"], kind=MovementKind.RESTOCK, quantity=restocked,
                      created_at=start)  # fmt: skip
        stocks.add(
            id=moved["id"], station_id=station_id, item_id=item_id,
            on_shelf=restocked - moved["reserve"] + moved["release"], reserved=moved["pending"],
            handed_out=moved["hand_out"], removed=0, restocked=restocked,
        )  # fmt: skip


def load(ctx, city: City) -> None:
    ledger = Ledger(ctx, city)
    for user_id, _place, _job in city.workers:
        ledger.worker(user_id)
    _reports(ctx, city, ledger)
    _volunteering(ctx, city, ledger)
    already = ctx.table(Entry).written + len(ctx.table(Entry).rows)
    # What is left of the ledger's share after the pools' allocations and the orders' postings,
    # both counted at most (every community paid out, every order picked up), so the check-ins
    # never take the ledger past its share. Where the other rows alone pass it (a small scale:
    # the allocations do not shrink with it), no check-ins are made.
    postings = ctx.sizes.orders
    allocations = len(city.communities) + len(city.counties) + 1
    _checkins(ctx, city, ledger, max(0, ctx.sizes.entries - already - postings - allocations))
    _orders(ctx, city, ledger)
    ledger.fund_the_pools()
    ledger.write_accounts()
