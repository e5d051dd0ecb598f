"""Factories and builders shared by the tests of every app."""

from dataclasses import dataclass

import factory

from nuanxin.accounts.models import Role, User
from nuanxin.geo.models import Region, RegionLevel
from nuanxin.geo.services import region_save

TEST_PASSWORD = "test-pass-2024!"


def box(min_lon: float, min_lat: float, max_lon: float, max_lat: float) -> dict:
    return {
        "type": "Polygon",
        "coordinates": [
            [
                [min_lon, min_lat],
                [max_lon, min_lat],
                [max_lon, max_lat],
                [min_lon, max_lat],
                [min_lon, min_lat],
            ]
        ],
    }


@dataclass
class Tree:
    """A small city: 2 counties x 2 streets x 2 communities x 2 grids, square boundaries.

    Names are positional: county "A"/"B", street "A1", community "A1a", grid "A1a-1".
    """

    regions: dict[str, Region]

    def __getitem__(self, name: str) -> Region:
        return self.regions[name]

    @property
    def city(self) -> Region:
        return self.regions["city"]


def build_tree(origin_lon: float = 110.0, origin_lat: float = 21.0, size: float = 0.4) -> Tree:
    regions: dict[str, Region] = {}
    city, _ = region_save(
        code="449900",
        name="测试市",
        level=RegionLevel.CITY,
        boundary=box(origin_lon, origin_lat, origin_lon + size, origin_lat + size),
    )
    regions["city"] = city
    half = size / 2
    for ci, county_name in enumerate("AB"):
        c_lon = origin_lon + ci * half
        county, _ = region_save(
            code=f"4499{ci + 1:02d}",
            name=f"{county_name}区",
            level=RegionLevel.COUNTY,
            parent=city,
            boundary=box(c_lon, origin_lat, c_lon + half, origin_lat + size),
        )
        regions[county_name] = county
        for si in range(2):
            s_lat = origin_lat + si * half
            street, _ = region_save(
                code=f"{county.code}{si + 1:03d}",
                name=f"{county_name}{si + 1}街道",
                level=RegionLevel.STREET,
                parent=county,
                boundary=box(c_lon, s_lat, c_lon + half, s_lat + half),
            )
            regions[f"{county_name}{si + 1}"] = street
            quarter = half / 2
            for mi, letter in enumerate("ab"):
                m_lon = c_lon + mi * quarter
                community, _ = region_save(
                    code=f"{street.code}{mi + 1:03d}",
                    name=f"{county_name}{si + 1}{letter}社区",
                    level=RegionLevel.COMMUNITY,
                    parent=street,
                    boundary=box(m_lon, s_lat, m_lon + quarter, s_lat + half),
                )
                key = f"{county_name}{si + 1}{letter}"
                regions[key] = community
                for gi in range(2):
                    g_lat = s_lat + gi * quarter
                    grid, _ = region_save(
                        code=f"{community.code}{gi + 1:02d}",
                        name=f"第{gi + 1}网格",
                        level=RegionLevel.GRID,
                        parent=community,
                        boundary=box(m_lon, g_lat, m_lon + quarter, g_lat + quarter),
                    )
                    regions[f"{key}-{gi + 1}"] = grid
    return Tree(regions)


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    phone = factory.Sequence(lambda n: f"139{n:08d}")
    name = factory.Sequence(lambda n: f"用户{n}")
    role = Role.WORKER
    password = factory.PostGenerationMethodCall("set_password", TEST_PASSWORD)

    @factory.post_generation
    def _save(obj: User, create: bool, extracted: object, **kwargs: object) -> None:
        if create:
            obj.save()


def staff(role: str, region: Region, **fields: object) -> User:
    return UserFactory(role=role, region=region, **fields)
