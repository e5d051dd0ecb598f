"""The categories, departments and reply templates a new city starts with (data, in Chinese).

City admins change them afterwards; ``defaults_install`` only adds what is missing. The names,
groups, descriptions, questions and options are stored in Chinese and marked for the catalogue
(``gettext_noop``), so pages show them in the reader's language (``core.vocab``); names staff
add later are shown as written.
"""

from typing import Any

from django.utils.translation import gettext_noop

DEFAULT_DEPARTMENTS: list[tuple[str, str]] = [
    ("sanitation", gettext_noop("城市管理和综合执法局（环卫）")),
    ("fire", gettext_noop("消防救援大队")),
    ("municipal", gettext_noop("住房和城乡建设局（市政设施）")),
    ("traffic-police", gettext_noop("公安交警大队")),
    ("urban-management", gettext_noop("城市管理和综合执法局（市容）")),
    ("market", gettext_noop("市场监督管理局")),
    ("police", gettext_noop("公安分局")),
]

_YES_NO = [{"key": "yes", "name": gettext_noop("是")}, {"key": "no", "name": gettext_noop("否")}]

DEFAULT_CATEGORIES: list[dict[str, Any]] = [
    {
        "code": "sanitation",
        "name": gettext_noop("环境卫生"),
        "group": gettext_noop("环境卫生"),
        "description": gettext_noop("垃圾堆积、污水外溢、卫生死角等"),
        "keywords": "垃圾,污水,卫生",
        "points": 5,
        "department": "sanitation",
        "handling_hours": 72,
        "sort_order": 10,
    },
    {
        "code": "fire-lane",
        "name": gettext_noop("消防通道堵塞"),
        "group": gettext_noop("消防安全隐患"),
        "description": gettext_noop("消防通道、安全出口被车辆或杂物堵塞"),
        "keywords": "消防,通道,堵塞",
        "points": 10,
        "department": "fire",
        "handling_hours": 24,
        "sort_order": 20,
        "questions": [
            {
                "code": "blocked_by",
                "label": gettext_noop("堵塞物"),
                "type": "single",
                "required": False,
                "options": [
                    {"key": "car", "name": gettext_noop("机动车")},
                    {"key": "ebike", "name": gettext_noop("电动车")},
                    {"key": "goods", "name": gettext_noop("杂物")},
                ],
            },
        ],
    },
    {
        "code": "ebike-charging",
        "name": gettext_noop("电动车飞线充电"),
        "group": gettext_noop("消防安全隐患"),
        "description": gettext_noop("从窗户拉线、楼道或室内给电动车充电"),
        "keywords": "飞线,充电,电动车",
        "points": 10,
        "department": "fire",
        "handling_hours": 24,
        "sort_order": 21,
        "questions": [
            {
                "code": "where",
                "label": gettext_noop("充电位置"),
                "type": "single",
                "required": True,
                "options": [
                    {"key": "window", "name": gettext_noop("窗外飞线")},
                    {"key": "corridor", "name": gettext_noop("楼道")},
                    {"key": "indoor", "name": gettext_noop("室内")},
                ],
            },
        ],
    },
    {
        "code": "road-damage",
        "name": gettext_noop("道路破损"),
        "group": gettext_noop("道路与设施"),
        "description": gettext_noop("路面坑洼、塌陷、人行道破损"),
        "keywords": "道路,坑洼,塌陷",
        "points": 5,
        "department": "municipal",
        "handling_hours": 72,
        "sort_order": 30,
    },
    {
        "code": "manhole",
        "name": gettext_noop("井盖缺失或破损"),
        "group": gettext_noop("道路与设施"),
        "description": gettext_noop("井盖丢失、破损、移位"),
        "keywords": "井盖",
        "points": 10,
        "department": "municipal",
        "handling_hours": 24,
        "sort_order": 31,
        "questions": [
            {
                "code": "warned",
                "label": gettext_noop("现场是否已有警示"),
                "type": "single",
                "required": False,
                "options": _YES_NO,
            },
        ],
    },
    {
        "code": "street-light",
        "name": gettext_noop("路灯损坏"),
        "group": gettext_noop("道路与设施"),
        "description": gettext_noop("路灯不亮、灯杆倾斜"),
        "keywords": "路灯",
        "points": 3,
        "department": "municipal",
        "handling_hours": 72,
        "sort_order": 32,
    },
    {
        "code": "traffic",
        "name": gettext_noop("交通安全隐患"),
        "group": gettext_noop("交通安全"),
        "description": gettext_noop("信号灯故障、护栏损坏、标志缺失等"),
        "keywords": "信号灯,护栏,交通",
        "points": 5,
        "department": "traffic-police",
        "handling_hours": 48,
        "sort_order": 40,
    },
    {
        "code": "street-occupation",
        "name": gettext_noop("堆物占道"),
        "group": gettext_noop("市容秩序"),
        "description": gettext_noop("占道经营、乱堆乱放"),
        "keywords": "占道,堆物",
        "points": 5,
        "department": "urban-management",
        "handling_hours": 48,
        "sort_order": 50,
    },
    {
        "code": "food-safety",
        "name": gettext_noop("食品安全线索"),
        "group": gettext_noop("线索举报"),
        "description": gettext_noop("无证经营、食品变质等线索"),
        "keywords": "食品",
        "points": 10,
        "department": "market",
        "handling_hours": 72,
        "anonymous_public": True,
        "sort_order": 60,
    },
    {
        "code": "public-security",
        "name": gettext_noop("治安隐患线索"),
        "group": gettext_noop("线索举报"),
        "description": gettext_noop("可疑情况、治安隐患线索"),
        "keywords": "治安",
        "points": 10,
        "department": "police",
        "handling_hours": 24,
        "anonymous_public": True,
        "sort_order": 61,
    },
    {
        "code": "other",
        "name": gettext_noop("其他"),
        "group": gettext_noop("其他"),
        "description": gettext_noop("其他需要社区处理的问题"),
        "keywords": "",
        "points": 2,
        "department": None,
        "handling_hours": 120,
        "sort_order": 90,
    },
]

DEFAULT_TEMPLATES: list[tuple[str, str, str]] = [
    ("accepted", "已受理", "感谢您的随手拍，问题已受理，我们会尽快处置。"),
    ("rejected", "照片不清晰", "照片无法看清问题，请补拍清晰照片后重新上报。"),
    ("rejected", "不属于公共问题", "该问题不属于公共区域的隐患，暂不受理。"),
    ("rejected", "位置不符", "照片与所选位置不符，请核对位置后重新上报。"),
    ("dispatched", "已派单", "已派给责任部门处置，请留意后续进展。"),
    ("resolved", "已整改", "经现场核查，问题已整改完毕。感谢您的参与！"),
    ("closed", "已办结", "问题已办结，如有新情况欢迎再次上报。"),
]


def install_defaults(apps: Any, schema_editor: Any = None) -> None:
    """A new city starts with the default departments, categories and reply templates.

    Run by migration 0001 with the historical models, and by the tests after a flush (a
    transactional test empties every table, data from migrations included). Idempotent.
    """
    Department = apps.get_model("reports", "Department")
    Category = apps.get_model("reports", "Category")
    ResponseTemplate = apps.get_model("reports", "ResponseTemplate")
    for code, name in DEFAULT_DEPARTMENTS:
        Department.objects.get_or_create(code=code, defaults={"name": name})
    for spec in DEFAULT_CATEGORIES:
        fields = dict(spec)
        department = fields.pop("department", None)
        fields["department"] = Department.objects.filter(code=department).first()
        Category.objects.get_or_create(code=fields.pop("code"), defaults=fields)
    for state, title, text in DEFAULT_TEMPLATES:
        ResponseTemplate.objects.get_or_create(state=state, title=title, defaults={"text": text})
