"""Demo part: the industry figures of the article (党建+电商 / 党建+直播 / 党建+产销).

遂溪县: e-commerce workers from a few hundred (when the park's branch was founded in 2020; the
article says only "数百人", the demo takes 400) to 7,800 in 2022, and 2022 online sales of
1.38 bn yuan, 591 m of them in the e-commerce park. 徐闻县: pineapple livestreams up to March of
the article's year (2023): 300 sessions, 1.4 m items sold, 60 m yuan. 廉江市: the red-orange
industry chain of the joint committee; the article gives no figures for it, so the demo's are
marked as examples in their note.
"""

import datetime as dt

from nuanxin.demo.loader import DemoContext
from nuanxin.demo.party import RED_ORANGE, SUIXI_PARK
from nuanxin.geo.models import Region, RegionLevel
from nuanxin.party import services
from nuanxin.party.models import IndustryFigure, IndustryScope, IndustryTheme, Organisation
from nuanxin.registry.models import Enterprise

SUIXI, XUWEN, LIANJIANG = "440823", "440825", "440881"
SUIXI_SALES_2022 = 1_380_000_000
SUIXI_PARK_SALES_2022 = 591_000_000
SUIXI_WORKERS_2020, SUIXI_WORKERS_2022 = 400, 7800
PINEAPPLE = "徐闻菠萝产业链"
PINEAPPLE_SESSIONS, PINEAPPLE_ITEMS, PINEAPPLE_SALES = 300, 1_400_000, 60_000_000
RED_ORANGE_CHAIN = "红橙产业链"


def _year(year: int) -> dict[str, dt.date]:
    return {"period_start": dt.date(year, 1, 1), "period_end": dt.date(year, 12, 31)}


def load(ctx: DemoContext) -> None:
    if IndustryFigure.objects.exists():
        ctx.say("产业数据：已存在，跳过。")
        return
    park = Enterprise.objects.filter(name=SUIXI_PARK).first()
    if park is None or not Organisation.objects.filter(name=RED_ORANGE).exists():
        ctx.say("产业数据：缺少台账或党组织，跳过。")
        return
    suixi = Region.objects.get(code=SUIXI)
    xuwen = Region.objects.get(code=XUWEN)
    chengnan = Region.objects.get(parent__code=LIANJIANG, name="城南街道", level=RegionLevel.STREET)
    record = services.industry_figure_record
    county, chain = IndustryScope.COUNTY, IndustryScope.CHAIN
    ecommerce = IndustryTheme.ECOMMERCE
    record(actor=None, theme=ecommerce, scope=county, region=suixi, **_year(2020),
           ecommerce_workers=SUIXI_WORKERS_2020, note="文章：数百人（演示取 400 人）")  # fmt: skip
    record(actor=None, theme=ecommerce, scope=county, region=suixi, **_year(2022),
           ecommerce_workers=SUIXI_WORKERS_2022, sales_yuan=SUIXI_SALES_2022,
           note="全县电商网络销售额")  # fmt: skip
    record(actor=None, theme=ecommerce, scope=IndustryScope.PARK, enterprise=park, **_year(2022),
           sales_yuan=SUIXI_PARK_SALES_2022, note="电商园区网络销售额")  # fmt: skip
    record(actor=None, theme=IndustryTheme.LIVESTREAM, scope=chain, region=xuwen,
           chain_name=PINEAPPLE, period_start=dt.date(2023, 1, 1),
           period_end=dt.date(2023, 3, 31), livestream_sessions=PINEAPPLE_SESSIONS,
           items_sold=PINEAPPLE_ITEMS, sales_yuan=PINEAPPLE_SALES,
           note="截至 3 月累计：直播带货 300 多场，线上卖出 140 万件，超 6000 万元")  # fmt: skip
    for quarter, (sessions, items, sales) in enumerate(
        ((40, 52_000, 3_100_000), (65, 88_000, 5_200_000)), start=1
    ):
        start = dt.date(2023, 3 * quarter - 2, 1)
        end = dt.date(2023, 3 * quarter + 1, 1) - dt.timedelta(days=1)
        record(actor=None, theme=IndustryTheme.PRODUCTION, scope=chain, region=chengnan,
               chain_name=RED_ORANGE_CHAIN, period_start=start, period_end=end,
               livestream_sessions=sessions, items_sold=items, sales_yuan=sales,
               note="示例数据：文章未给出红橙产业链的数字")  # fmt: skip
    ctx.say(
        f"产业数据：遂溪县电商从业人员 {SUIXI_WORKERS_2020}→{SUIXI_WORKERS_2022} 人，"
        f"2022 年网络销售额 {SUIXI_SALES_2022 / 10**8:.2f} 亿元；徐闻菠萝直播 "
        f"{PINEAPPLE_SESSIONS} 场；廉江红橙产业链示例数据 2 期。"
    )
