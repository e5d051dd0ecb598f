import datetime as dt

from ninja import Schema


class DashboardRegionOut(Schema):
    code: str
    name: str
    level: str


class RowOut(DashboardRegionOut):
    drillable: bool
    # A rate with nothing counted under it (no enterprise, no demand) is null.
    figures: dict[str, float | None]


class HighlightOut(Schema):
    key: str
    label: str
    name: str
    since: str
    value: float


class FiguresOut(Schema):
    region: DashboardRegionOut
    trail: list[DashboardRegionOut]
    labels: dict[str, str]
    # Each rate's key: the counted figures it is the percentage of, numerator first.
    rates: dict[str, list[str]]
    totals: dict[str, float | None]
    rows: list[RowOut]
    remainder: dict[str, float | None] | None
    highlights: list[HighlightOut]
    # When the figures were counted: the dashboard's snapshot (refreshed every few minutes),
    # or now where no fresh snapshot is kept.
    as_of: dt.datetime


class TraceOut(Schema):
    name: str
    y: list[float | None]


class ChartOut(Schema):
    key: str
    title: str
    kind: str
    x: list[str]
    traces: list[TraceOut]


class StationPointOut(Schema):
    code: str
    name: str
    kind: str
    open: bool
    lon: float
    lat: float


class MapOut(Schema):
    child_level: str
    parent: str
    stations: list[StationPointOut]
    reports: dict[str, float]


class OverviewOut(Schema):
    figures: FiguresOut
    charts: list[ChartOut]


class PublicRowOut(Schema):
    code: str
    name: str
    figures: dict[str, float | None]


class PublicOut(Schema):
    region: dict[str, str]
    labels: dict[str, str]
    totals: dict[str, float | None]
    rows: list[PublicRowOut]
    suppress_below: int
