"""Geometry helpers over GeoJSON dicts."""

from typing import Any

import numpy as np
import shapely
from shapely.geometry import mapping, shape

from nuanxin.geo.coords import CoordSystem, from_wgs84


def geometry_from_wgs84(geojson: dict[str, Any], system: CoordSystem | str) -> dict[str, Any]:
    """The geometry with every vertex converted from WGS-84 to ``system`` (for GCJ-02 maps)."""
    if CoordSystem(system) == CoordSystem.WGS84:
        return geojson

    def convert(coords: np.ndarray) -> np.ndarray:
        return np.array([from_wgs84(float(x), float(y), system) for x, y in coords])

    return mapping(shapely.transform(shape(geojson), convert))
