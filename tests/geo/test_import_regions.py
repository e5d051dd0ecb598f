import json

import pytest
from django.core.management import CommandError, call_command

from nuanxin.geo.models import Region
from tests.factories import box

pytestmark = pytest.mark.django_db


def feature(code, name, level, parent_code=None, geometry=None):
    return {
        "type": "Feature",
        "geometry": geometry,
        "properties": {"code": code, "name": name, "level": level, "parent_code": parent_code},
    }


def write(tmp_path, features):
    path = tmp_path / "regions.geojson"
    path.write_text(
        json.dumps({"type": "FeatureCollection", "features": features}, ensure_ascii=False),
        encoding="utf-8",
    )
    return path


GOOD = [
    # Children before parents on purpose: the importer orders by level.
    feature("440802001", "中华街道", "street", "440802", box(110.35, 21.25, 110.37, 21.27)),
    feature("440802", "赤坎区", "county", "440800", box(110.3, 21.2, 110.4, 21.3)),
    feature("440800", "湛江市", "city", None, box(109.6, 20.2, 111.0, 22.0)),
]


def test_import_loads_features_in_any_order_and_is_repeatable(tmp_path, capsys):
    path = write(tmp_path, GOOD)

    call_command("import_regions", str(path))
    call_command("import_regions", str(path))

    street = Region.objects.get(code="440802001")
    assert street.path == "440800/440802/440802001/"
    assert Region.objects.count() == 3
    assert "更新 3 个区域" in capsys.readouterr().out


def test_bad_features_are_reported_one_by_one_and_nothing_is_written(tmp_path, capsys):
    path = write(
        tmp_path,
        [
            *GOOD,
            feature("440803", "霞山区", "county", "449999", box(110.3, 21.1, 110.4, 21.2)),
            feature("", "无名", "county", "440800"),
            feature(
                "440804", "坡头区", "county", "440800", {"type": "Point", "coordinates": [1, 2]}
            ),
        ],
    )

    with pytest.raises(CommandError, match="3 个要素有错误"):
        call_command("import_regions", str(path))

    err = capsys.readouterr().err
    assert "第 4 个要素 [440803] geo.unknown_parent" in err
    assert "第 5 个要素 [无代码] geo.bad_code" in err
    assert "第 6 个要素 [440804] geo.bad_boundary" in err
    assert not Region.objects.exists()


def test_partial_import_keeps_the_valid_features(tmp_path):
    path = write(tmp_path, [*GOOD, feature("440804", "坡头区", "county", "449999")])

    with pytest.raises(CommandError):
        call_command("import_regions", str(path), "--partial")

    assert set(Region.objects.values_list("code", flat=True)) == {"440800", "440802", "440802001"}


def test_dry_run_validates_and_writes_nothing(tmp_path, capsys):
    call_command("import_regions", str(write(tmp_path, GOOD)), "--dry-run")

    assert "将新增 3 个区域" in capsys.readouterr().out
    assert not Region.objects.exists()


def test_unreadable_file_is_a_clear_error(tmp_path):
    path = tmp_path / "broken.geojson"
    path.write_text("{not json", encoding="utf-8")

    with pytest.raises(CommandError, match="无法读取"):
        call_command("import_regions", str(path))
