from typing import Any

from ninja import Field, Schema

from nuanxin.core.schema import DateTime, json_float, json_int, param_int
from nuanxin.geo.coords import CoordSystem

# Bounds of the edge only; the services judge the narrower rules with their own codes.
Minutes = param_int(-10_000, 10_000)
JsonMinutes = json_int(-10_000, 10_000)
Weight = json_float(-1e6, 1e6)


class CoverageParams(Schema):
    mode: str = Field("ride", description="ride（电动车）或 walk（步行）")
    threshold_minutes: Minutes | None = Field(None, description="时间阈值（分钟），默认 15")
    amenities: str | None = Field(None, description="逗号分隔的设施代码，驿站须全部具备")
    at: DateTime | None = Field(None, description="只计此时开放的驿站；不填则不看开放时间")
    sources: str | None = Field(
        None, description="需求来源及权重，如 hotspots:1,reports:0.5（来源见 API 文档）"
    )
    crs: CoordSystem = CoordSystem.WGS84


class RoadsParams(Schema):
    bbox: str | None = Field(None, description="最小经度,最小纬度,最大经度,最大纬度（按 crs）")
    crs: CoordSystem = CoordSystem.WGS84


class CoverageIn(Schema):
    mode: str = "ride"
    threshold_minutes: JsonMinutes | None = None
    amenities: list[str] = Field(default_factory=list, max_length=50)
    at: DateTime | None = None
    sources: dict[str, Weight] | None = Field(None, description="需求来源 -> 权重")
    crs: CoordSystem = CoordSystem.WGS84


class SitingIn(CoverageIn):
    p: json_int(-10_000, 10_000) = Field(description="新建驿站数（1-200）")
    candidates: str = Field("grid", description="grid、hotspots 或 uncovered")
    solver: str = Field("exact", description="exact（HiGHS 精确求解）或 greedy")
    time_limit_s: json_float(-1e6, 1e6) = Field(60.0, description="求解时限（秒）")


class MinimumIn(CoverageIn):
    target_percent: json_float(-1e6, 1e6) = Field(description="目标覆盖率（%）")
    candidates: str = "grid"
    time_limit_s: json_float(-1e6, 1e6) = 60.0


class RegionRowOut(Schema):
    code: str
    name: str
    demand: float
    covered: float
    percent: float
    points: int
    uncovered_points: int


class CoverageOut(Schema):
    summary: dict[str, Any]
    counties: list[RegionRowOut]
    streets: list[RegionRowOut]
    uncovered: list[dict[str, Any]]
    crs: str


class SiteOut(Schema):
    rank: int
    point: list[float]
    label: str
    street: str
    county: str
    gain: float = Field(description="新增覆盖的需求（人）")
    gain_points: float = Field(description="新增覆盖率（百分点）")


class PlanOut(Schema):
    summary: dict[str, Any]
    sites: list[SiteOut]
    crs: str
