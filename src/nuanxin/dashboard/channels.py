"""The four "随手" channels the article names, counted per region, per worker and per month:
随手拍 (reports), 随手派 (policy leaflets), 随手办 (online errands for residents), 随时推
(livestreams of local products). The region counts are figures of ``sources.FIGURE_SOURCES``
(so they drill down and add up like every other figure), the months are the ``channels``
chart; the worker counts come from ``sources.CHANNELS_BY_WORKER`` over the same rows, so the
workers of an area add up to the area's totals."""

from typing import Any

from django.contrib.auth import get_user_model
from django.utils.translation import gettext as _

from nuanxin.dashboard.figures import RegionFigures
from nuanxin.dashboard.sources import CHANNELS, CHANNELS_BY_WORKER, CHANNELS_OF_WORKER
from nuanxin.dashboard.tables import Table, regions_table
from nuanxin.geo.models import Region

CHANNEL_KEYS = tuple(channel.key for channel in CHANNELS)
# The per-worker export lists at most this many workers, the most active first.
WORKER_ROWS_MAX = 5000


def channel_labels() -> dict[str, str]:
    return {c.key: f"{c.label}：{c.noun}（{c.unit}）" for c in CHANNELS}


def channels_table(figures: RegionFigures) -> Table:
    """The channels of each child region (and the remainder), then the total."""
    table = regions_table(figures, CHANNEL_KEYS)
    table.key = "channels"
    table.title = _("%(region)s“随手”参与分区数据") % {"region": figures.region.name}
    table.headers = [table.headers[0], *channel_labels().values()]
    return table


def channels_by_worker(region: Region) -> dict[int, dict[str, int]]:
    """Worker id -> the four channels' counts, over the records of ``region``'s subtree."""
    within = region.path if region.depth > 0 else ""
    out: dict[int, dict[str, int]] = {}
    for source in CHANNELS_BY_WORKER:
        for worker, counts in source(within=within).items():
            out.setdefault(worker, dict.fromkeys(CHANNEL_KEYS, 0)).update(counts)
    return out


def channel_workers_table(region: Region) -> Table:
    """One row per worker with any record in the area: name, masked phone, the four counts and
    their sum; the most active first (at most ``WORKER_ROWS_MAX`` rows)."""
    counts = channels_by_worker(region)
    ranked = sorted(counts, key=lambda pk: (-sum(counts[pk].values()), pk))[:WORKER_ROWS_MAX]
    people = get_user_model().objects.in_bulk(ranked)
    rows: list[list[Any]] = []
    for pk in ranked:
        person = people.get(pk)
        rows.append(
            [
                person.name if person else "",
                person.masked_phone if person else "",
                *(counts[pk][key] for key in CHANNEL_KEYS),
                sum(counts[pk].values()),
            ]
        )
    return Table(
        key="channel_workers",
        title=_("%(region)s“随手”参与：按劳动者") % {"region": region.name},
        headers=[_("姓名"), _("手机号"), *channel_labels().values(), _("合计")],
        rows=rows,
    )


def channels_of_worker(user: Any) -> list[dict[str, Any]]:
    """The worker's own count in each channel, with its name and unit."""
    found: dict[str, int] = dict.fromkeys(CHANNEL_KEYS, 0)
    for source in CHANNELS_OF_WORKER:
        found.update(source(user))
    return [
        {
            "key": c.key,
            "label": f"{c.label}（{c.noun}）",
            "unit": str(c.unit),
            "value": found[c.key],
        }
        for c in CHANNELS
    ]
