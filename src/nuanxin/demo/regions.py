"""Demo part: the Zhanjiang region tree (approximate boundaries, marked as demo data)."""

from nuanxin.demo.loader import DemoContext
from nuanxin.demo.zhanjiang import build_regions
from nuanxin.geo.models import Region
from nuanxin.geo.services import region_save


def load(ctx: DemoContext) -> None:
    specs = build_regions(seed=ctx.seed)
    existing = set(Region.objects.values_list("code", flat=True))
    if all(spec.code in existing for spec in specs):
        ctx.say(f"区域：已存在 {len(existing)} 个，跳过。")
        return
    by_code = {r.code: r for r in Region.objects.all()}
    created = 0
    for spec in specs:
        if spec.code in by_code:
            continue
        region, _ = region_save(
            code=spec.code,
            name=spec.name,
            level=spec.level,
            parent=by_code.get(spec.parent_code) if spec.parent_code else None,
            boundary=spec.boundary,
            centre=spec.centre,
            is_demo_boundary=True,
        )
        by_code[spec.code] = region
        created += 1
    ctx.say(f"区域：新增 {created} 个（演示用近似边界，非官方数据）。")
