"""Choice fields from the words offices write for them ('骑手', '外卖员', 'rider')."""

import unicodedata
from typing import Any

from django.db import models
from django.utils import translation
from django.utils.translation import gettext as _

from nuanxin.registry.cleaning.text import SPACES, FieldProblem, to_text
from nuanxin.registry.models import (
    EnterpriseKind,
    EnterpriseStatus,
    Gender,
    Industry,
    Occupation,
    PoliticalStatus,
    WorkerStatus,
)

# Words offices write for each choice, besides the choice's own label and value.
CHOICE_ALIASES: dict[type[models.TextChoices], dict[str, tuple[str, ...]]] = {
    EnterpriseKind: {
        EnterpriseKind.PLATFORM_HQ: ("总部", "平台总部", "平台企业总部", "平台企业"),
        EnterpriseKind.REGIONAL_BRANCH: ("分公司", "区域公司", "分支机构", "城市分公司"),
        EnterpriseKind.STATION: ("站点", "配送站", "网点", "营业部", "配送站点", "快递网点"),
        EnterpriseKind.FRANCHISE: ("加盟", "加盟商", "代理商", "承包商"),
        EnterpriseKind.ECOMMERCE: ("电商", "电商企业", "电子商务企业"),
        EnterpriseKind.LIVESTREAM: ("直播", "直播公司", "mcn", "直播机构"),
        EnterpriseKind.LOGISTICS_PARK: ("物流园", "产业园", "园区", "电商产业园"),
    },
    Industry: {
        Industry.FOOD_DELIVERY: ("外卖", "即时配送", "外卖配送", "餐饮配送", "同城配送"),
        Industry.EXPRESS: ("快递", "快递物流", "邮政快递"),
        Industry.RIDE_HAILING: ("网约车", "出行", "网约出行"),
        Industry.FREIGHT: ("货运", "网络货运", "物流", "货运物流"),
        Industry.ECOMMERCE: ("电商", "电子商务", "网络零售"),
        Industry.LIVESTREAM: ("直播", "直播带货", "网络直播"),
        Industry.OTHER: ("其他", "其它"),
    },
    EnterpriseStatus: {
        EnterpriseStatus.ACTIVE: ("在营", "正常", "存续", "开业", "营业"),
        EnterpriseStatus.SUSPENDED: ("停业", "歇业", "暂停营业"),
        EnterpriseStatus.CLOSED: ("注销", "已注销", "关闭", "吊销"),
    },
    Occupation: {
        Occupation.RIDER: ("骑手", "外卖员", "外卖骑手", "配送员", "送餐员", "外卖小哥"),
        Occupation.COURIER: ("快递员", "快递小哥", "揽投员", "快递"),
        Occupation.RIDE_HAILING_DRIVER: ("网约车司机", "网约车", "专车司机", "快车司机"),
        Occupation.FREIGHT_DRIVER: ("货车司机", "货运司机", "卡车司机", "货运"),
        Occupation.LIVESTREAMER: ("主播", "带货主播", "网络主播", "直播"),
        Occupation.OTHER: ("其他", "其它"),
    },
    PoliticalStatus: {
        PoliticalStatus.PARTY_MEMBER: ("党员", "中共党员", "正式党员", "中国共产党党员"),
        PoliticalStatus.PROBATIONARY: ("预备党员", "中共预备党员"),
        PoliticalStatus.LEAGUE_MEMBER: ("团员", "共青团员", "中国共产主义青年团团员"),
        PoliticalStatus.MASSES: ("群众", "无", "普通群众"),
    },
    Gender: {Gender.MALE: ("男", "男性", "m"), Gender.FEMALE: ("女", "女性", "f")},
    WorkerStatus: {
        WorkerStatus.ACTIVE: ("在职", "在岗", "正常"),
        WorkerStatus.LEFT: ("离职", "已离职", "退出"),
    },
}


_CHOICE_INDEXES: dict[type[models.TextChoices], tuple[dict[str, str], str]] = {}


def _choice_index(choices: type[models.TextChoices]) -> tuple[dict[str, str], str]:
    """(word -> value, the Chinese labels joined for messages), built once per choice set.

    Chinese labels and their synonyms are matched whatever language the request uses.
    """
    if choices not in _CHOICE_INDEXES:
        index: dict[str, str] = {}
        with translation.override("zh-hans"):
            labels = [str(label) for _value, label in choices.choices]
        for (value, _label), label in zip(choices.choices, labels, strict=True):
            index[value.lower()] = value
            index[unicodedata.normalize("NFKC", label).lower()] = value
        for value, words in CHOICE_ALIASES.get(choices, {}).items():
            for word in words:
                index[word.lower()] = value
        _CHOICE_INDEXES[choices] = (index, "、".join(labels))
    return _CHOICE_INDEXES[choices]


def clean_choice(value: Any, choices: type[models.TextChoices], *, label: str) -> str | None:
    """The choice value for its label, value or a usual synonym ('骑手', '外卖员', 'rider')."""
    text = SPACES.sub("", to_text(value)).lower()
    if not text:
        return None
    index, allowed = _choice_index(choices)
    found = index.get(text)
    if found is None:
        raise FieldProblem(
            "registry.invalid_choice",
            _("%(label)s“%(value)s”无法识别，可填：%(allowed)s。")
            % {"label": label, "value": to_text(value)[:20], "allowed": allowed},
        )
    return found
