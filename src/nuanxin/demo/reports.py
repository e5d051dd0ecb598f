"""Demo part: a few hundred 随手拍 reports across Zhanjiang, in every state of the workflow.

Riders report what the article names — blocked fire lanes, e-bikes charged from a window, missing
manhole covers — mostly in the streets the article names. Each report is made and moved through
the real services, so history, audit rows, notifications and points are what a real run leaves.
Reports keep a fixed submit key, so a second run finds them and adds nothing.
"""

import datetime as dt
import io
import random

from django.db import transaction
from django.utils import timezone
from PIL import Image, ImageDraw
from shapely.geometry import Point, shape

from nuanxin.accounts.models import Role, User
from nuanxin.core.errors import ApplicationError
from nuanxin.demo.clock import as_of
from nuanxin.demo.loader import DemoContext
from nuanxin.geo.models import Region, RegionLevel
from nuanxin.reports import services
from nuanxin.reports.models import Category, Department, Report, ReportEvent, State

TOTAL = 320
FOCUS_STREETS = ["城南街道", "南调街道", "沙湾街道", "新园街道"]

TEXTS: dict[str, list[str]] = {
    "sanitation": [
        "路边垃圾堆了好几天没人清理",
        "下水道污水冒出来了",
        "菜市场后门卫生死角，气味很大",
    ],
    "fire-lane": ["小区消防通道被私家车堵死了", "商铺门口消防通道堆满货物", "电动车停满了消防通道"],
    "ebike-charging": [
        "三楼窗户拉电线下来给电动车充电",
        "楼道里有人给电动车充电",
        "出租屋室内停放电动车充电",
    ],
    "road-damage": ["路面有大坑，晚上骑车很危险", "人行道砖块松动翘起", "路面塌陷一块"],
    "manhole": ["井盖不见了，没有任何警示", "井盖破裂，踩上去会晃", "井盖移位露出一个口子"],
    "street-light": ["这段路的路灯全都不亮", "路灯杆被撞歪了", "路灯一直闪烁"],
    "traffic": ["路口红绿灯坏了", "护栏被撞断，车辆容易冲出", "转弯处缺少减速标志"],
    "street-occupation": ["摊贩占道经营，非机动车道走不了", "建材堆在路上", "店铺桌椅摆到人行道上"],
    "food-safety": ["路边无证摊点卖熟食", "某小吃店后厨卫生很差"],
    "public-security": ["夜里有人在小区附近撬电动车", "地下通道路灯坏了，常有可疑人员"],
    "other": ["公交站台顶棚破损漏雨", "骑手驿站附近缺少停车位"],
}
WEIGHTS = {
    "fire-lane": 5,
    "ebike-charging": 5,
    "manhole": 4,
    "road-damage": 3,
    "street-light": 3,
    "sanitation": 3,
    "street-occupation": 3,
    "traffic": 2,
    "food-safety": 1,
    "public-security": 1,
    "other": 1,
}
# Share of reports that end in each state (the rest stay submitted, waiting for review).
OUTCOMES = [
    ("accepted", 0.14),
    ("dispatched", 0.12),
    ("resolved", 0.14),
    ("closed", 0.10),
    ("rejected", 0.08),
    ("duplicate", 0.06),
    ("reopened", 0.05),
]
REJECT_REASONS = [
    "照片无法看清问题，请补拍清晰照片后重新上报。",
    "该问题不属于公共区域的隐患，暂不受理。",
]


def _photo(rng: random.Random, label: int) -> bytes:
    image = Image.new(
        "RGB", (480, 360), (rng.randint(90, 200), rng.randint(90, 200), rng.randint(90, 200))
    )
    draw = ImageDraw.Draw(image)
    for _ in range(6):
        x, y = rng.randint(0, 440), rng.randint(0, 320)
        draw.rectangle(
            [x, y, x + rng.randint(20, 120), y + rng.randint(20, 80)],
            fill=(rng.randint(0, 255), rng.randint(0, 255), rng.randint(0, 255)),
        )
    draw.text((12, 12), f"DEMO {label}", fill=(255, 255, 255))
    out = io.BytesIO()
    image.save(out, format="JPEG", quality=70)
    return out.getvalue()


def _point_in(region: Region, rng: random.Random) -> tuple[float, float] | None:
    if region.boundary:
        geom = shape(region.boundary)
        min_x, min_y, max_x, max_y = geom.bounds
        for _ in range(60):
            p = Point(rng.uniform(min_x, max_x), rng.uniform(min_y, max_y))
            if geom.contains(p):
                return (p.x, p.y)
    return region.centre


def _reviewer_for(region: Region, staff: list[User]) -> User | None:
    covering = [u for u in staff if u.region is not None and region.path.startswith(u.region.path)]
    return max(covering, key=lambda u: u.region.depth) if covering else None


def _advance(
    report: Report, outcome: str, reviewer: User, rng: random.Random, original: Report | None
) -> None:
    if outcome == "rejected":
        services.report_reject(report=report, reviewer=reviewer, reason=rng.choice(REJECT_REASONS))
        return
    if outcome == "duplicate" and original is not None:
        services.report_mark_duplicate(report=report, reviewer=reviewer, original=original)
        return
    services.report_accept(report=report, reviewer=reviewer, note="感谢您的随手拍！")
    if outcome == "accepted":
        return
    department = report.department or Department.objects.filter(code="urban-management").first()
    services.report_dispatch(report=report, reviewer=reviewer, department=department)
    if outcome == "dispatched":
        return
    services.report_resolve(report=report, reviewer=reviewer, note="经现场核查，问题已整改完毕。")
    if outcome == "closed":
        services.report_close(report=report, reviewer=reviewer, note="已办结")
    elif outcome == "reopened":
        services.report_reopen(
            report=report, reporter=report.reporter, reason="问题又出现了，请再看看"
        )


def _backdate(report: Report, days_ago: float, category: Category) -> None:
    """Spread the demo over the past weeks (the services stamp 'now'); some become overdue."""
    created = timezone.now() - dt.timedelta(days=days_ago)
    Report.objects.filter(pk=report.pk).update(
        created_at=created,
        due_at=created + dt.timedelta(hours=category.handling_hours)
        if report.state in (State.SUBMITTED, State.ACCEPTED, State.DISPATCHED)
        else report.due_at,
    )
    ReportEvent.objects.filter(report=report, kind="submitted").update(at=created)


def load(ctx: DemoContext) -> None:
    services.defaults_install()
    categories = {c.code: c for c in Category.objects.filter(code__in=TEXTS, is_active=True)}
    workers = list(User.objects.filter(role=Role.WORKER, is_active=True).order_by("pk"))
    staff = list(
        User.objects.filter(
            role__in=[Role.COMMUNITY_STAFF, Role.STREET_ADMIN, Role.COUNTY_ADMIN, Role.CITY_ADMIN]
        )
        .select_related("region")
        .order_by("pk")
    )
    focus = list(
        Region.objects.filter(
            level=RegionLevel.GRID, parent__parent__name__in=FOCUS_STREETS
        ).order_by("code")
    )
    grids = list(Region.objects.filter(level=RegionLevel.GRID).order_by("code"))
    if not categories or not workers or not grids:
        ctx.say("随手拍：缺少类别、劳动者或网格，跳过。")
        return
    codes = sorted(categories)
    weights = [WEIGHTS.get(c, 1) for c in codes]
    base = ctx.rng("reports").random()
    made = waiting_for_budget = 0
    recent: dict[str, list[Report]] = {}
    for i in range(TOTAL):
        key = f"demo-report-{i}"
        if Report.objects.filter(submit_key=key, client_id="").exists():
            continue
        # One generator per report, so a report that already exists changes nothing after it.
        rng = random.Random(f"{base}:{i}")
        code = rng.choices(codes, weights)[0]
        category = categories[code]
        reporter = rng.choice(workers)
        outcome = "submitted"
        roll, edge = rng.random(), 0.0
        for name, share in OUTCOMES:
            edge += share
            if roll < edge:
                outcome = name
                break
        original = None
        if outcome == "duplicate" and recent.get(code):
            original = rng.choice(recent[code])
            point = (
                original.lon + rng.uniform(-0.0003, 0.0003),
                original.lat + rng.uniform(-0.0003, 0.0003),
            )
        else:
            grid = rng.choice(focus if focus and rng.random() < 0.55 else grids)
            point = _point_in(grid, rng)
        if point is None:
            continue
        photos = [_photo(rng, i) for _ in range(rng.choice([0, 1, 1, 2]))]
        days_ago = rng.uniform(0.1, 40)
        if outcome != "submitted":
            # Reviewed two hours after it came in, on an earlier day: the points it paid count
            # against that day's cap, not today's.
            days_ago = max(days_ago, 1.5)
        reviewed_at = timezone.now() - dt.timedelta(days=days_ago, hours=-2)
        answers = {}
        for question in category.questions or []:
            if question.get("required") and question.get("options"):
                answers[question["code"]] = rng.choice(question["options"])["key"]
        try:
            with transaction.atomic():
                report = services.report_submit(
                    reporter=reporter,
                    category=category,
                    lon=point[0],
                    lat=point[1],
                    description=rng.choice(TEXTS[code]),
                    photos=photos,
                    answers=answers,
                    submit_key=key,
                )
        except ApplicationError:
            continue
        made += 1
        reviewer = _reviewer_for(report.region, staff)
        if outcome != "submitted" and reviewer is not None and reviewer.pk != reporter.pk:
            try:
                with transaction.atomic(), as_of(reviewed_at):
                    _advance(report, outcome, reviewer, rng, original)
            except ApplicationError as exc:
                if exc.code == "points.budget_exhausted":
                    waiting_for_budget += 1
        report.refresh_from_db()
        if report.state in (State.SUBMITTED, State.ACCEPTED, State.DISPATCHED):
            recent.setdefault(code, []).append(report)
        _backdate(report, days_ago, category)
    states = {s: Report.objects.filter(state=s).count() for s in State.values}
    summary = "，".join(f"{State(s).label}{n}" for s, n in states.items() if n)
    note = f"（{waiting_for_budget} 条因社区积分池未拨款仍待审核）" if waiting_for_budget else ""
    ctx.say(f"随手拍：新增 {made} 条问题，现有 {summary}{note}。")
