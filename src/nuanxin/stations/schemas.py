import datetime as dt
from enum import StrEnum

from ninja import Field, Schema

from nuanxin.core.schema import Lat, Lon, PointOut, Quantity, Weekday, json_float
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
    checkin_radius_m: int = Field(description="用手机定位签到的范围（米）")
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
    checkin_radius_m: Quantity = 200
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
    checkin_radius_m: Quantity | None = None
    timezone: str | None = None
    keeper_phones: list[str] | None = None


class StatusIn(Schema):
    status: StationStatus
    note: str = ""


class CheckinPositionIn(Schema):
    lon: Lon
    lat: Lat
    accuracy_m: json_float(0, 100_000) | None = Field(None, description="定位误差（米）")
    coord_system: CoordSystem = CoordSystem.WGS84


class PositionError(StrEnum):
    DENIED = "denied"
    UNAVAILABLE = "unavailable"
    TIMEOUT = "timeout"


class CheckinIn(Schema):
    token: str = Field(description="签到二维码网址最后一段", max_length=200)
    position: CheckinPositionIn | None = Field(
        None, description="手机定位（经用户同意），只在服务器上比较，不保存"
    )
    position_error: PositionError | None = Field(
        None, description="浏览器未能给出位置的原因（用户拒绝、无法定位、超时）"
    )
    code: str = Field("", max_length=80, description="驿站屏幕上的动态签到码（二维码或 6 位数字）")


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


class LiveCodeOut(Schema):
    code: str = Field(description="动态签到码（放在二维码里）")
    digits: str = Field(description="6 位数字签到码，供手动输入")
    url: str = Field(description="二维码内容：签到页网址，带动态签到码")
    changes_at: dt.datetime = Field(description="屏幕换下一个签到码的时间")
    expires_at: dt.datetime = Field(description="本签到码失效的时间")


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
