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


def load(ctx: DemoContext) -> None:
    created = 0
    for phone, name, role, region_key in DEMO_ACCOUNTS:
        if not User.objects.filter(phone=phone).exists():
            user_create(
                phone=phone,
                name=name,
                role=role,
                region=_named_region(region_key) if region_key else None,
                password=DEMO_PASSWORD,
            )
            created += 1
        ctx.credentials.append((str(Role(role).label), name, phone))
    ctx.say(f"演示账号：新增 {created} 个。")
