"""Reads of the region tree, and the point -> region lookup.

The lookup keeps an in-memory STRtree of every boundary and a KD-tree of community centres per
process (``StampedCache``); a point resolves to the deepest region whose boundary contains it,
else to the nearest community centre within ``REGION_FALLBACK_MAX_METERS``.
"""

import math
from dataclasses import dataclass
from typing import Any

import numpy as np
import shapely
from django.conf import settings
from django.db.models import QuerySet
from scipy.spatial import cKDTree
from shapely.geometry import shape

from nuanxin.core.stamps import StampedCache
from nuanxin.geo.coords import haversine_m
from nuanxin.geo.models import Region, RegionLevel
from nuanxin.geo.services import REGIONS_TOPIC

EARTH_RADIUS_M = 6_371_008.8


def unit_vectors(lons: np.ndarray, lats: np.ndarray) -> np.ndarray:
    """Points on the unit sphere: Euclidean nearest there is great-circle nearest."""
    lon_r, lat_r = np.radians(lons), np.radians(lats)
    cos_lat = np.cos(lat_r)
    return np.column_stack([cos_lat * np.cos(lon_r), cos_lat * np.sin(lon_r), np.sin(lat_r)])


def chord_for_metres(metres: float) -> float:
    return 2 * math.sin(min(metres / EARTH_RADIUS_M, math.pi) / 2)


@dataclass(frozen=True)
class RegionIndex:
    tree: shapely.STRtree | None
    ids: np.ndarray
    depths: np.ndarray
    areas: np.ndarray
    centre_tree: cKDTree | None
    centre_ids: np.ndarray
    centre_coords: np.ndarray

    def lookup(self, lon: float, lat: float, fallback_m: float) -> tuple[int | None, str, float]:
        """(region id, method, distance in metres) for a WGS-84 point."""
        if self.tree is not None:
            hits = self.tree.query(shapely.Point(lon, lat), predicate="intersects")
            if len(hits):
                # Deepest first; among overlapping siblings (bad data) the smallest wins.
                best = min(hits, key=lambda i: (-self.depths[i], self.areas[i], self.ids[i]))
                return int(self.ids[best]), "boundary", 0.0
        if self.centre_tree is not None and fallback_m > 0:
            chord, i = self.centre_tree.query(
                unit_vectors(np.array([lon]), np.array([lat]))[0],
                distance_upper_bound=chord_for_metres(fallback_m) * 1.000001,
            )
            if math.isfinite(chord):
                c_lon, c_lat = self.centre_coords[i]
                distance = haversine_m(lon, lat, float(c_lon), float(c_lat))
                if distance <= fallback_m:
                    return int(self.centre_ids[i]), "nearest_centre", distance
        return None, "none", 0.0


def _build_index() -> RegionIndex:
    geometries, ids, depths = [], [], []
    centre_ids, centre_coords = [], []
    rows = Region.objects.values_list(
        "id", "depth", "level", "boundary", "centre_lon", "centre_lat"
    )
    for region_id, depth, level, boundary, c_lon, c_lat in rows.iterator(chunk_size=2000):
        if boundary:
            geometries.append(shape(boundary))
            ids.append(region_id)
            depths.append(depth)
        if level == RegionLevel.COMMUNITY and c_lon is not None and c_lat is not None:
            centre_ids.append(region_id)
            centre_coords.append((c_lon, c_lat))
    coords = np.array(centre_coords, dtype=float).reshape(-1, 2)
    return RegionIndex(
        tree=shapely.STRtree(geometries) if geometries else None,
        ids=np.array(ids, dtype=np.int64),
        depths=np.array(depths, dtype=np.int16),
        areas=shapely.area(np.array(geometries, dtype=object)) if geometries else np.array([]),
        centre_tree=cKDTree(unit_vectors(coords[:, 0], coords[:, 1])) if len(coords) else None,
        centre_ids=np.array(centre_ids, dtype=np.int64),
        centre_coords=coords,
    )


region_index: StampedCache[RegionIndex] = StampedCache(REGIONS_TOPIC, _build_index)


@dataclass(frozen=True)
class RegionMatch:
    region: Region
    method: str
    distance_m: float


def region_at_point(lon: float, lat: float) -> RegionMatch | None:
    """The deepest region containing a WGS-84 point, or the nearest community nearby."""
    region_id, method, distance = region_index.get().lookup(
        lon, lat, settings.REGION_FALLBACK_MAX_METERS
    )
    if region_id is None:
        return None
    return RegionMatch(Region.objects.get(pk=region_id), method, distance)


def region_get(code: str) -> Region | None:
    return Region.objects.filter(code=code).first()


def region_children(region: Region | None) -> QuerySet[Region]:
    if region is None:
        return Region.objects.filter(parent__isnull=True)
    return region.children.all()


def region_subtree(region: Region) -> QuerySet[Region]:
    return Region.objects.filter(path__startswith=region.path)


def region_tree(root: Region | None, max_depth: int) -> list[dict[str, Any]]:
    """Nested dicts of ``root``'s subtree down to ``max_depth`` levels below it (one query)."""
    qs = Region.objects.all() if root is None else region_subtree(root)
    base_depth = -1 if root is None else root.depth
    qs = qs.filter(depth__lte=base_depth + max_depth).values(
        "id", "code", "name", "level", "depth", "parent_id"
    )
    nodes = {row["id"]: {**row, "children": []} for row in qs}
    roots = []
    for node in nodes.values():
        parent = nodes.get(node["parent_id"])
        (parent["children"] if parent else roots).append(node)
    for node in nodes.values():
        node["children"].sort(key=lambda n: n["code"])
        del node["parent_id"], node["id"]
    return sorted(roots, key=lambda n: n["code"])
