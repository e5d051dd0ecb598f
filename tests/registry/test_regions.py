import pytest

from nuanxin.registry.cleaning import FieldProblem
from nuanxin.registry.regions import RegionResolver

pytestmark = pytest.mark.django_db


@pytest.fixture
def resolve(city):
    resolver = RegionResolver()
    return lambda *parts: resolver.resolve(*parts).code


@pytest.mark.parametrize(
    "text",
    [
        "440804001001",
        "坡头区南调街道海盛社区",
        "湛江市坡头区南调街道海盛社区",
        "坡头区 / 南调街道 / 海盛社区",
        "南调街道海盛社区",
        "海盛社区",
        "坡头南调海盛",
        "坡头区南调街道海盛社区居委会",
    ],
)
def test_resolver__reads_the_ways_offices_write_a_community(resolve, text):
    assert resolve(text) == "440804001001"


def test_resolver__three_columns_and_levels_above_community(resolve):
    assert resolve("坡头区", "南调街道", "海盛社区") == "440804001001"
    assert resolve("坡头区", "", "") == "440804"
    assert resolve("", "新园街道", None) == "440803009"


def test_resolver__same_street_name_in_two_counties_needs_the_county(resolve):
    with pytest.raises(FieldProblem) as caught:
        resolve("海滨街道观海社区")

    assert caught.value.code == "registry.ambiguous_region"
    assert "吴川市海滨街道观海社区" in caught.value.message
    assert resolve("吴川市海滨街道观海社区") == "440883003001"
    assert resolve("霞山区", "海滨街道", "观海社区") == "440803006001"


@pytest.mark.parametrize("text", ["赤坎区", "坡头区海盛街道", "新园街道海盛社区", "440899"])
def test_resolver__unknown_or_mismatched_names_are_refused(resolve, text):
    with pytest.raises(FieldProblem) as caught:
        resolve(text)

    assert caught.value.code == "registry.unknown_region"


def test_resolver__blank_is_no_region(city):
    assert RegionResolver().resolve("", None, "  ") is None
