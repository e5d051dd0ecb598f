import datetime as dt

from ninja import Field, Schema

from nuanxin.core.schema import Lat, Lon, PointOut, Quantity, Weekday
from nuanxin.geo.coords import CoordSystem
from nuanxin.stations.models import HostType, StationKind, StationStatus


class AmenityOut(Schema):
    code: str
    name: str
    icon: str


class OpenStatusOut(Schema):
    is_open: bool
    opens_at: dt.datetime | None = Field(None, description="休息中时：下次开门时间")
    closes_at: dt.datetime | None = Field(None, description="开放中时：关门时间；24 小时开放为空")
    label: str = Field(description="给骑手看的一句话，如“开放中 · 今天 20:00 关门”")


class NavigationOut(Schema):
    amap: str = Field(description="高德地图（GCJ-02）")
    baidu: str = Field(description="百度地图（BD-09）")
    geo: str = Field(description="手机自带地图（geo: URI，WGS-84）")


class NearestQueryOut(Schema):
    lon: float
    lat: float
    point: PointOut = Field(description="查询点（经度, 纬度），坐标系见 crs")
    coord_system: str
    crs: str
    amenities: list[str]
    open_now: bool
    at: dt.datetime
    max_distance_m: float | None
    count: int
    kind: str | None


class NearestResultOut(Schema):
    """One station; with ``fields=`` only the named fields are present."""

    id: int | None = None
    code: str | None = None
    name: str | None = None
    kind: str | None = None
    kind_label: str | None = None
    host_type: str | None = None
    host_label: str | None = None
    address: str | None = None
    lon: float | None = Field(None, description="经度，坐标系见 crs")
    lat: float | None = None
    distance_m: float | None = Field(None, description="直线距离（米）")
    walk_minutes: int | None = Field(None, description="步行约几分钟（4.5 km/h，绕行系数 1.3）")
    ride_minutes: int | None = Field(None, description="骑电动车约几分钟（15 km/h，绕行系数 1.3）")
    open: OpenStatusOut | None = None
    amenities: list[str] | None = None
    url: str | None = None
    navigation: NavigationOut | None = None


class NearestOut(Schema):
    query: NearestQueryOut
    results: list[NearestResultOut]


class StationRegionOut(Schema):
    code: str
    name: str


class CodeLabelOut(Schema):
    code: str
    label: str


class SpanOut(Schema):
    start: str
    end: str
    overnight: bool
    label: str


class WeekdayHoursOut(Schema):
    weekday: int
    label: str
    spans: list[SpanOut]


class ExceptionOut(Schema):
    date: dt.date
    closed: bool
    spans: list[SpanOut]
    note: str


class DayHoursOut(Schema):
    date: dt.date
    weekday_label: str
    closed: bool
    spans: list[SpanOut]
    note: str | None


class StationHoursOut(Schema):
    timezone: str
    text: str = Field(description="文字形式，如“周一至周五 08:00-20:00”")
    weekly: list[WeekdayHoursOut]
    exceptions: list[ExceptionOut] = Field(description="今天起的特殊日期安排")
    next_days: list[DayHoursOut] = Field(description="今天起 7 天的实际开放时段")


class StationPhotoOut(Schema):
    id: int
    url: str
    caption: str


class StationOut(Schema):
    id: int
    code: str
    kind: str
    kind_label: str
    name: str
    host_type: str
    host_label: str
    host_name: str
    address: str
    lon: float
    lat: float
    crs: str
    region: StationRegionOut
    amenities: list[AmenityOut]
    standard_services: list[CodeLabelOut]
    extra_services: list[str]
    description: str
    contact_name: str
    contact_phone: str
    capacity: int | None
    status: str
    status_label: str
    status_note: str
    open: OpenStatusOut
    hours: StationHoursOut
    photos: list[StationPhotoOut]
    navigation: NavigationOut
    url: str


class StationFeatureCollectionOut(Schema):
    type: str = "FeatureCollection"
    features: list[dict]


class SpanIn(Schema):
    start: str = Field(examples=["08:00"])
    end: str = Field(examples=["20:00"], description="不晚于开始时间表示跨夜到次日")


class WeeklySpanIn(SpanIn):
    weekday: Weekday = Field(description="0 = 周一 … 6 = 周日")


class HoursIn(Schema):
    weekly: list[WeeklySpanIn] | None = None
    text: str | None = Field(None, examples=["周一至周五 08:00-20:00；周末 09:00-18:00"])


class ExceptionIn(Schema):
    closed: bool = False
    spans: list[SpanIn] = []
    note: str = ""


class StationIn(Schema):
    kind: StationKind
    name: str
    host_type: HostType
    address: str
    lon: Lon
    lat: Lat
    coord_system: CoordSystem = CoordSystem.WGS84
    region_code: str | None = Field(None, description="不填则按坐标确定所属社区")
    code: str | None = Field(None, description="不填则自动编号")
    host_name: str = ""
    amenities: list[str] = []
    standard_services: list[str] = []
    extra_services: list[str] = []
    description: str = ""
    contact_name: str = ""
    contact_phone: str = ""
    capacity: Quantity | None = None
    status: StationStatus = StationStatus.OPEN
    status_note: str = ""
    timezone: str | None = None
    keeper_phones: list[str] = []
    hours: HoursIn | None = None


class StationPatch(Schema):
    kind: StationKind | None = None
    name: str | None = None
    host_type: HostType | None = None
    address: str | None = None
    lon: Lon | None = None
    lat: Lat | None = None
    coord_system: CoordSystem = CoordSystem.WGS84
    region_code: str | None = None
    code: str | None = None
    host_name: str | None = None
    amenities: list[str] | None = None
    standard_services: list[str] | None = None
    extra_services: list[str] | None = None
    description: str | None = None
    contact_name: str | None = None
    contact_phone: str | None = None
    capacity: Quantity | None = None
    timezone: str | None = None
    keeper_phones: list[str] | None = None


class StatusIn(Schema):
    status: StationStatus
    note: str = ""


class CheckinIn(Schema):
    token: str = Field(description="签到二维码网址最后一段")


class VisitStationOut(Schema):
    id: int
    code: str
    name: str


class VisitOut(Schema):
    id: int
    station: VisitStationOut
    day: dt.date
    first_at: dt.datetime
    last_at: dt.datetime
    scans: int
    points_awarded: int | None
    points_note: str = Field(description="未获得（或少得）打卡积分的原因；否则为空")


class CheckinOut(Schema):
    counted: bool = Field(description="是否计为今天的一次到访（同一驿站每天只计一次）")
    message: str
    visit: VisitOut


class QrOut(Schema):
    url: str
    version: int
    png_url: str
    svg_url: str
    poster_url: str


class VisitCountOut(Schema):
    key: str
    label: str
    visits: int
    scans: int


class VisitStatsOut(Schema):
    date_from: dt.date
    date_to: dt.date
    by: str
    total_visits: int
    rows: list[VisitCountOut]


class ImportErrorOut(Schema):
    row: int
    code: str
    message: str


class StationImportOut(Schema):
    ok: bool
    dry_run: bool
    created: int
    updated: int
    errors: list[ImportErrorOut]


class ManagedStationOut(Schema):
    id: int
    code: str
    name: str
    kind: str
    status: str
    region: StationRegionOut
    visits_today: int
