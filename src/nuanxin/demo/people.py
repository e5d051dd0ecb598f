"""Demo part: one account for every role, with the credentials printed at the end."""

from nuanxin.accounts.models import Role, User
from nuanxin.accounts.services import user_create
from nuanxin.demo.loader import DEMO_PASSWORD, DemoContext
from nuanxin.geo.models import Region

# (phone, name, role, region code or None): staff are bound to the places the article names.
DEMO_ACCOUNTS = [
    ("13800000001", "市两新工委管理员", Role.CITY_ADMIN, "440800"),
    ("13800000002", "坡头区管理员", Role.COUNTY_ADMIN, "440804"),
    ("13800000003", "南调街道管理员", Role.STREET_ADMIN, "NANDIAO"),
    ("13800000004", "海盛社区工作人员", Role.COMMUNITY_STAFF, "HAISHENG"),
    ("13800000005", "海盛驿站管理员", Role.STATION_KEEPER, "HAISHENG"),
    ("13800000006", "美团湛江联络员", Role.ENTERPRISE_LIAISON, "440802"),
    ("13800000007", "骑手小李", Role.WORKER, "HAISHENG"),
    ("13800000008", "快递员小王", Role.WORKER, "HAISHENG"),
    ("13800000009", "网约车司机老陈", Role.WORKER, "SHAWAN"),
]


def _named_region(key: str) -> Region | None:
    if key == "NANDIAO":
        return Region.objects.filter(name="南调街道", parent__code="440804").first()
    if key == "HAISHENG":
        return Region.objects.filter(name="海盛社区", parent__name="南调街道").first()
    if key == "SHAWAN":
        return Region.objects.filter(name="沙湾街道", parent__code="440802").first()
    return Region.objects.filter(code=key).first()


# Worker accounts for people who use the app (log in by SMS code, no password). The registry
# holds the city's 20,000+ workers; these are the ones whose reports, visits and points the
# demo shows, spread over the communities with more in the streets the article names.
EXTRA_WORKERS = 300
EXTRA_WORKER_PHONE = "139{:08d}"
SURNAMES = (
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何林罗梁宋郑谢韩唐冯邓曹彭曾肖田董潘袁蔡蒋余杜叶程魏苏吕丁任沈"
)
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉兰建国志海鹏飞斌宇浩凯健俊帆晨阳鑫"


def demo_worker_phones() -> list[str]:
    return [EXTRA_WORKER_PHONE.format(i) for i in range(1, EXTRA_WORKERS + 1)]


def _load_extra_workers(ctx: DemoContext) -> int:
    rng = ctx.rng("people")
    named_streets = Region.objects.filter(
        name__in=["城南街道", "南调街道", "沙湾街道", "新园街道"], level="street"
    )
    focus = list(
        Region.objects.filter(level="community", parent__in=named_streets).order_by("code")
    )
    everywhere = list(Region.objects.filter(level="community").order_by("code"))
    # Compared here, not in SQL, as phones may be sealed at rest (PII_SEAL_PHONES).
    existing = {p for p in User.objects.values_list("phone", flat=True) if p.startswith("139")}
    created = 0
    for phone in demo_worker_phones():
        name = rng.choice(SURNAMES) + "".join(rng.choice(GIVEN) for _ in range(rng.choice([1, 2])))
        community = rng.choice(focus if rng.random() < 0.6 and focus else everywhere)
        if phone in existing:
            continue
        user_create(phone=phone, name=name, role=Role.WORKER, region=community)
        created += 1
    return created


def load(ctx: DemoContext) -> None:
    for phone, name, role, region_key in DEMO_ACCOUNTS:
        created = not User.objects.filter(phone=phone).exists()
        if created:
            user_create(
                phone=phone,
                name=name,
                role=role,
                region=_named_region(region_key) if region_key else None,
                password=DEMO_PASSWORD,
            )
        ctx.account(str(Role(role).label), name, phone, created=created)
    extra = _load_extra_workers(ctx)
    # The accounts with a password are listed (and counted) at the end, once every part has
    # added its own.
    ctx.say(f"劳动者账号：新增 {extra} 个（短信验证码登录）。")
