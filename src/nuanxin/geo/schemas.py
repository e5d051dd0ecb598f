from typing import Any

from ninja import Schema

from nuanxin.core.schema import LatParam, LonParam, PointOut
from nuanxin.geo.coords import CoordSystem


class RegionOut(Schema):
    code: str
    name: str
    level: str
    parent_code: str | None
    centre: PointOut | None
    is_demo_boundary: bool


class RegionNodeOut(Schema):
    code: str
    name: str
    level: str
    depth: int
    children: list["RegionNodeOut"]


class RegionLookupOut(Schema):
    region: RegionOut
    path: list[RegionOut]
    method: str
    distance_m: float


class LookupQuery(Schema):
    lon: LonParam
    lat: LatParam
    coord_system: CoordSystem = CoordSystem.WGS84


class LocateQuery(Schema):
    lon: LonParam
    lat: LatParam
    coord_system: CoordSystem = CoordSystem.WGS84
    crs: CoordSystem = CoordSystem.WGS84


class LocateOut(Schema):
    point: PointOut
    wgs84: PointOut
    regions: list[RegionOut]


class FeatureCollectionOut(Schema):
    type: str = "FeatureCollection"
    features: list[dict[str, Any]]
