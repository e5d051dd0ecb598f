"""The import on a deliberately messy workbook: report, fix the reported rows, re-import."""

import pytest

from nuanxin.accounts.models import Role
from nuanxin.registry.importing.engine import import_file
from nuanxin.registry.models import Enterprise, ImportMode, ImportStatus, Worker
from tests.factories import staff
from tests.registry import messy

pytestmark = pytest.mark.django_db


@pytest.fixture
def messy_file(tmp_path):
    return messy.build_messy_workbook(tmp_path / "台账.xlsx")


def _errors(job):
    return {(e["sheet"], e["row"], e["column"]) for e in job.errors}


def test_messy_workbook__all_or_nothing__reports_every_bad_cell_and_writes_nothing(
    city, messy_file
):
    admin = staff(Role.CITY_ADMIN, city["city"])

    outcome = import_file(file=str(messy_file), actor=admin)

    assert outcome.job.status == ImportStatus.FAILED
    assert _errors(outcome.job) == messy.EXPECTED_ERRORS
    assert Enterprise.objects.count() == 0 and Worker.objects.count() == 0


def test_messy_workbook__row_by_row__writes_the_good_rows_and_reports_the_bad(city, messy_file):
    admin = staff(Role.CITY_ADMIN, city["city"])

    outcome = import_file(file=str(messy_file), actor=admin, mode=ImportMode.ROW_BY_ROW)

    job = outcome.job
    assert job.status == ImportStatus.PARTIAL
    assert _errors(job) == messy.EXPECTED_ERRORS
    assert job.counts["enterprise"] == {"created": 3, "updated": 0, "unchanged": 0, "failed": 3}
    assert job.counts["worker"] == {"created": 4, "updated": 0, "unchanged": 0, "failed": 7}
    assert Enterprise.objects.count() == messy.GOOD_ENTERPRISES
    assert Worker.objects.count() == messy.GOOD_WORKERS


def test_messy_workbook__cleans_what_offices_type(city, messy_file):
    import_file(file=str(messy_file), actor=None, mode=ImportMode.ROW_BY_ROW)

    meituan = Enterprise.objects.get(credit_code=messy.CODE_MEITUAN)
    sf = Enterprise.objects.get(credit_code=messy.CODE_SF)
    didi = Enterprise.objects.get(name="滴滴出行湛江服务站")
    assert (meituan.worker_count, meituan.contact_phone, meituan.region) == (
        1200,
        "13822220001",
        city["haisheng"],
    )
    assert sf.name == "顺丰速运（坡头营业部）"  # brackets made full-width, as registered
    assert (sf.kind, sf.industry, sf.hq_outside_city, sf.worker_count) == (
        "station",
        "express",
        True,
        35,
    )
    assert (sf.region, sf.contact_phone) == (city["potou_c"], "0759-3388888")
    assert didi.region == city["xinyuan"] and didi.credit_code is None

    zhang = Worker.objects.get(phone="13800001234")
    li = Worker.objects.get(phone="13900000002")
    zhou = Worker.objects.get(phone="13900000007")
    wu = Worker.objects.get(phone="13900000008")
    assert zhang.name == "张三" and zhang.political_status == "party_member"
    assert zhang.id_number == messy.ID_ZHANG and zhang.union_member
    assert (zhang.work_region, zhang.region) == (city["haisheng"], city["haisheng"])
    assert li.id_number == messy.ID_LI  # the lost X put back by the check digit
    assert list(li.enterprises.all()) == [sf]
    assert zhou.id_number.startswith("44080419850101") and len(zhou.id_number) == 18
    assert (zhou.region, zhou.political_status) == (city["xinyuan"], "probationary")
    assert (wu.id_number, wu.gender, wu.political_status) == (messy.ID_WU, "F", "league_member")


def test_messy_workbook__fix_the_reported_rows_then_reimport__no_duplicates(city, messy_file):
    admin = staff(Role.CITY_ADMIN, city["city"])
    first = import_file(file=str(messy_file), actor=admin, mode=ImportMode.ROW_BY_ROW).job

    assert messy.apply_fixes(messy_file, first.errors) == len(messy.EXPECTED_ERRORS)
    second = import_file(file=str(messy_file), actor=admin).job
    third = import_file(file=str(messy_file), actor=admin).job

    assert second.status == ImportStatus.SUCCEEDED and second.errors == []
    assert second.counts["enterprise"] == {"created": 3, "updated": 0, "unchanged": 3, "failed": 0}
    assert second.counts["worker"] == {"created": 7, "updated": 0, "unchanged": 4, "failed": 0}
    assert (
        third.counts["enterprise"]["unchanged"] == 6 and third.counts["worker"]["unchanged"] == 11
    )
    assert Enterprise.objects.count() == 6 and Worker.objects.count() == 11
    guanhai = Enterprise.objects.get(name="中通快递观海网点")
    assert guanhai.region == city["guanhai_wc"]


def test_messy_workbook__dry_run__checks_and_writes_nothing(city, messy_file):
    outcome = import_file(file=str(messy_file), actor=None, mode=ImportMode.DRY_RUN)

    assert outcome.job.status == ImportStatus.CHECKED
    assert outcome.job.counts["worker"]["created"] == messy.GOOD_WORKERS
    assert Worker.objects.count() == 0 and Enterprise.objects.count() == 0


def test_messy_workbook__warnings_name_the_repaired_id_and_the_ignored_column(city, messy_file):
    job = import_file(file=str(messy_file), actor=None, mode=ImportMode.DRY_RUN).job

    notes = {(w["sheet"], w["row"], w["column"]): w["message"] for w in job.warnings}
    assert (
        notes[(messy.WORKER_SHEET, 4, "身份证号码")]
        == "身份证号末位的 X 已丢失，已按校验规则补回。"
    )
    assert notes[(messy.WORKER_SHEET, 9, "身份证号码")] == "15 位旧身份证号已升级为 18 位。"
    assert notes[(messy.ENTERPRISE_SHEET, 4, "备注")] == "未识别的列，已忽略。"
    assert notes[("填表说明", 0, "")] == "该工作表不是台账，已跳过。"
