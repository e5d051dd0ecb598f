"""Demo part: the city's 12345 hotline as a registered Open311 client, with a few requests.

The hotline's API key is random and printed once, when the client is created; a later run
finds the client and says so (a city admin can issue a new key in the admin). The requests it
files carry fixed device ids, so a second run files nothing new.
"""

from nuanxin.core.errors import ApplicationError
from nuanxin.demo.loader import DemoContext
from nuanxin.geo.models import Region, RegionLevel
from nuanxin.open311.models import ClientApplication
from nuanxin.open311.params import Submission
from nuanxin.open311.services import client_create, service_request_create
from nuanxin.reports.models import Category, Report
from nuanxin.reports.questions import questions_clean
from nuanxin.reports.services import ReporterContact

CODE = "zj12345"
NAME = "湛江12345热线"
CALLS = [
    ("manhole", "市民来电：路口井盖缺失，晚上很危险。"),
    ("fire-lane", "市民来电：小区消防通道长期被车辆占用。"),
    ("street-light", "市民来电：这一段路灯已经坏了一周。"),
    ("ebike-charging", "市民来电：楼上住户从窗口拉线给电动车充电。"),
    ("sanitation", "市民来电：垃圾桶满了没人清运。"),
    ("road-damage", "市民来电：路面塌陷出一个坑。"),
]


def _answers(category: Category) -> dict[str, object]:
    """Answers to the required questions, as a hotline operator would fill them in."""
    answers: dict[str, object] = {}
    for question in questions_clean(category.questions):
        if not question["required"]:
            continue
        kind = question["type"]
        if kind in ("single", "multi"):
            first = question["options"][0]["key"]
            answers[question["code"]] = [first] if kind == "multi" else first
        else:
            answers[question["code"]] = {"number": 1, "bool": False}.get(kind, "见描述")
    return answers


def load(ctx: DemoContext) -> None:
    rng = ctx.rng("open311")
    client = ClientApplication.objects.filter(code=CODE).first()
    key = ""
    if client is None:
        client, key = client_create(
            actor=None,
            code=CODE,
            name=NAME,
            contact_name="热线平台对接人",
            note="演示：12345 热线工单经 Open311 转入随手拍。",
        )
    communities = list(
        Region.objects.filter(level=RegionLevel.COMMUNITY, centre_lon__isnull=False).order_by(
            "path"
        )
    )
    categories = {c.code: c for c in Category.objects.filter(is_active=True)}
    before = Report.objects.count()
    for number, (code, text) in enumerate(CALLS, start=1):
        category = categories.get(code)
        if category is None or not communities:
            continue
        area = rng.choice(communities)
        submission = Submission(
            category=category,
            lon=round(area.centre_lon + rng.uniform(-0.002, 0.002), 6),
            lat=round(area.centre_lat + rng.uniform(-0.002, 0.002), 6),
            coord_system="wgs84",
            description=text,
            answers=_answers(category),
            address="",
            media_url="",
            contact=ReporterContact(name="市民", phone=""),
            device_id=f"12345-call-{number:04d}",
        )
        try:
            service_request_create(client=client, submission=submission)
        except ApplicationError:
            continue  # a demo point the boundaries do not cover: leave that call out
    made = Report.objects.count() - before
    if key:
        ctx.say(
            f"Open311：新增接入应用“{NAME}”，API 密钥（只显示这一次）：{key}；"
            f"经由它提交 {made} 条问题。"
        )
    else:
        ctx.say(
            f"Open311：接入应用“{NAME}”已存在（密钥只在创建时显示，可在管理后台重新签发）；"
            f"新增 {made} 条问题。"
        )
