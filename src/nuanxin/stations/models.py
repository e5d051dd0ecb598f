"""Service centres (暖新服务中心) and stations (暖新服务驿站), their hours and their visits.

Opening hours are rows, not text: weekly spans per weekday and date exceptions that replace a
day's spans (a holiday, a temporary closure). A span whose end is not after its start runs past
midnight and belongs to the day it starts (22:00-06:00 on Friday is Friday's span); a span whose
end equals its start lasts 24 hours. ``nuanxin.stations.schedule`` turns the rows into answers.

Visits are personal location data (who was where, when): one row per worker, station and day,
kept for ``STATION_VISIT_RETENTION_DAYS`` and then folded into ``VisitAggregate`` counts.
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class StationKind(models.TextChoices):
    CENTRE = "centre", _("暖新服务中心")
    STATION = "station", _("暖新服务驿站")


class HostType(models.TextChoices):
    PARTY_MASS_CENTRE = "party_mass_centre", _("党群服务中心")
    MASS_ORGANISATION = "mass_organisation", _("群团阵地")
    BANK = "bank", _("银行网点")
    PHARMACY = "pharmacy", _("药店")
    MALL = "mall", _("商场商圈")
    HOTEL = "hotel", _("酒店")
    IDLE_ROOM = "idle_room", _("闲置用房")
    ENTERPRISE = "enterprise", _("企业")
    OTHER = "other", _("其他")


class StationStatus(models.TextChoices):
    OPEN = "open", _("运营中")
    SUSPENDED = "suspended", _("暂停服务")
    CLOSED = "closed", _("已撤销")


class StandardService(models.TextChoices):
    """The five standard services of the "5+X" programme; X are a station's own extras."""

    REST = "rest", _("舒心小憩")
    TEA = "tea", _("温心热茶")
    CHARGING = "charging", _("放心充电")
    EXCHANGE = "exchange", _("省心兑换")
    CONVENIENCE = "convenience", _("悉心便民")


class Weekday(models.IntegerChoices):
    MONDAY = 0, _("周一")
    TUESDAY = 1, _("周二")
    WEDNESDAY = 2, _("周三")
    THURSDAY = 3, _("周四")
    FRIDAY = 4, _("周五")
    SATURDAY = 5, _("周六")
    SUNDAY = 6, _("周日")


def default_timezone() -> str:
    return settings.TIME_ZONE


class Amenity(models.Model):
    """One entry of the configurable amenity list (drinking water, toilet, phone charging...)."""

    code = models.SlugField(_("代码"), max_length=32, unique=True)
    name = models.CharField(_("名称"), max_length=30)
    icon = models.CharField(_("图标"), max_length=8, blank=True)
    sort_order = models.PositiveSmallIntegerField(_("排序"), default=100)
    is_active = models.BooleanField(_("启用"), default=True)

    class Meta:
        verbose_name = _("服务设施")
        verbose_name_plural = _("服务设施")
        ordering = ["sort_order", "code"]

    def __str__(self) -> str:
        return self.name


class Station(models.Model):
    """A service centre or station: where a rider can rest, drink, charge and ask for help."""

    code = models.CharField(_("编号"), max_length=32, unique=True)
    kind = models.CharField(_("类型"), max_length=16, choices=StationKind.choices)
    name = models.CharField(_("名称"), max_length=100)
    host_type = models.CharField(_("承建场所类型"), max_length=32, choices=HostType.choices)
    host_name = models.CharField(_("承建单位"), max_length=100, blank=True)
    address = models.CharField(_("地址"), max_length=200)
    lon = models.FloatField(_("经度（WGS-84）"))
    lat = models.FloatField(_("纬度（WGS-84）"))
    region = models.ForeignKey(
        "geo.Region",
        verbose_name=_("所属区域"),
        on_delete=models.PROTECT,
        related_name="stations",
    )
    amenities = models.ManyToManyField(
        Amenity, verbose_name=_("服务设施"), blank=True, related_name="stations"
    )
    standard_services = models.JSONField(_("“5+X”基本服务"), default=list, blank=True)
    extra_services = models.JSONField(_("特色服务（X）"), default=list, blank=True)
    description = models.TextField(_("简介"), blank=True)
    contact_name = models.CharField(_("联系人"), max_length=50, blank=True)
    contact_phone = models.CharField(
        _("服务电话"),
        max_length=30,
        blank=True,
        help_text=_("对外公布的驿站服务电话，不要填写个人手机号。"),
    )
    capacity = models.PositiveSmallIntegerField(_("可容纳人数"), null=True, blank=True)
    status = models.CharField(
        _("状态"), max_length=16, choices=StationStatus.choices, default=StationStatus.OPEN
    )
    status_note = models.CharField(_("状态说明"), max_length=200, blank=True)
    timezone = models.CharField(_("时区"), max_length=64, default=default_timezone)
    keepers = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("驿站管理员"),
        blank=True,
        related_name="kept_stations",
    )
    checkin_radius_m = models.PositiveIntegerField(
        _("签到范围（米）"),
        default=200,
        help_text=_("用手机定位签到时，距驿站不超过这个距离才算到站。"),
    )
    qr_version = models.PositiveIntegerField(
        _("二维码版本"),
        default=1,
        help_text=_("更换二维码后旧的签到码全部失效。"),
    )
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    class Meta:
        verbose_name = _("服务阵地")
        verbose_name_plural = _("服务阵地")
        ordering = ["code"]
        indexes = [models.Index(fields=["status", "kind"])]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(lon__gte=-180, lon__lte=180, lat__gte=-90, lat__lte=90),
                name="station_lonlat_in_range",
            ),
            models.CheckConstraint(
                condition=models.Q(checkin_radius_m__gte=20, checkin_radius_m__lte=2000),
                name="station_checkin_radius_in_range",
            ),
        ]

    def __str__(self) -> str:
        return self.name


class WeeklySpan(models.Model):
    """An opening span on a weekday; ``end`` <= ``start`` runs into the next day."""

    station = models.ForeignKey(
        Station, on_delete=models.CASCADE, related_name="weekly_spans", verbose_name=_("驿站")
    )
    weekday = models.PositiveSmallIntegerField(_("星期"), choices=Weekday.choices)
    start = models.TimeField(_("开始"))
    end = models.TimeField(_("结束"))

    class Meta:
        verbose_name = _("每周开放时段")
        verbose_name_plural = _("每周开放时段")
        ordering = ["station", "weekday", "start"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(weekday__lte=6), name="weekly_span_weekday_range"
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_weekday_display()} {self.start:%H:%M}-{self.end:%H:%M}"


class HoursException(models.Model):
    """A date whose hours replace the weekly spans: closed all day, or special spans.

    ``spans`` is a list of ["HH:MM", "HH:MM"] pairs with the same overnight rule as weekly
    spans; an empty list with ``is_closed`` false is refused by the service.
    """

    station = models.ForeignKey(
        Station, on_delete=models.CASCADE, related_name="hours_exceptions", verbose_name=_("驿站")
    )
    date = models.DateField(_("日期"))
    is_closed = models.BooleanField(_("全天闭站"), default=False)
    spans = models.JSONField(_("特别开放时段"), default=list, blank=True)
    note = models.CharField(_("说明"), max_length=100, blank=True)

    class Meta:
        verbose_name = _("特殊日期安排")
        verbose_name_plural = _("特殊日期安排")
        ordering = ["station", "date"]
        constraints = [
            models.UniqueConstraint(fields=["station", "date"], name="hours_exception_unique_date")
        ]

    def __str__(self) -> str:
        return f"{self.station} {self.date}"


def station_photo_path(instance: "StationPhoto", filename: str) -> str:
    return f"stations/{instance.station_id}/{filename}"


class StationPhoto(models.Model):
    station = models.ForeignKey(
        Station, on_delete=models.CASCADE, related_name="photos", verbose_name=_("驿站")
    )
    image = models.ImageField(_("照片"), upload_to=station_photo_path)
    caption = models.CharField(_("说明"), max_length=100, blank=True)
    sort_order = models.PositiveSmallIntegerField(_("排序"), default=100)
    created_at = models.DateTimeField(_("上传时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("驿站照片")
        verbose_name_plural = _("驿站照片")
        ordering = ["station", "sort_order", "id"]

    def __str__(self) -> str:
        return self.caption or self.image.name


class Visit(models.Model):
    """A worker's check-in at a station: at most one counted visit per station and day.

    ``occupation`` is copied from the worker's registry record at check-in, so the counts by
    occupation survive when the visit itself is purged. ``points_awarded`` stays empty until the
    points ledger grants something for the visit; ``points_limited_by`` says why it granted less
    than the rule (``points.rules.shortfall_text`` words it).
    """

    station = models.ForeignKey(
        Station, on_delete=models.PROTECT, related_name="visits", verbose_name=_("驿站")
    )
    worker = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="station_visits",
        verbose_name=_("劳动者"),
    )
    day = models.DateField(_("日期"))
    first_at = models.DateTimeField(_("首次签到"))
    last_at = models.DateTimeField(_("最近扫码"))
    scans = models.PositiveIntegerField(_("扫码次数"), default=1)
    occupation = models.CharField(_("职业"), max_length=32, blank=True)
    points_awarded = models.IntegerField(_("获得积分"), null=True, blank=True)
    points_limited_by = models.CharField(
        _("未得积分原因"),
        max_length=16,
        blank=True,
        help_text=_("打卡积分少于规则时的原因代码（每天一次、上限、积分池不足）。"),
    )

    class Meta:
        verbose_name = _("签到记录")
        verbose_name_plural = _("签到记录")
        ordering = ["-first_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["station", "worker", "day"], name="visit_once_per_station_day"
            )
        ]
        indexes = [
            models.Index(fields=["day", "station"]),
            models.Index(fields=["worker", "-first_at"]),
        ]

    def __str__(self) -> str:
        return f"{self.station} {self.day}"


class VisitAggregate(models.Model):
    """Counts of purged visits per station, day and occupation: no person in them."""

    station = models.ForeignKey(
        Station, on_delete=models.PROTECT, related_name="visit_aggregates", verbose_name=_("驿站")
    )
    day = models.DateField(_("日期"))
    occupation = models.CharField(_("职业"), max_length=32, blank=True)
    visits = models.PositiveIntegerField(_("签到人次"), default=0)
    scans = models.PositiveIntegerField(_("扫码次数"), default=0)

    class Meta:
        verbose_name = _("签到统计（归档）")
        verbose_name_plural = _("签到统计（归档）")
        ordering = ["-day", "station"]
        constraints = [
            models.UniqueConstraint(
                fields=["station", "day", "occupation"], name="visit_aggregate_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.station} {self.day} {self.occupation}: {self.visits}"
