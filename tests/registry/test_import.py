"""Import behaviour beyond the messy workbook: matching, scope, links, audit, round trips."""

import io

import pytest
from django.core.management import CommandError, call_command

from nuanxin.accounts.models import Role
from nuanxin.core.models import AuditLog
from nuanxin.registry.exporting import export_workers, template_workbook
from nuanxin.registry.importing.engine import import_file, registry_import, rows_workbook
from nuanxin.registry.models import Enterprise, ImportJob, ImportMode, ImportStatus, Worker
from nuanxin.registry.services import enterprise_set_liaisons
from tests.factories import UserFactory, staff
from tests.registry import messy
from tests.registry.factories import credit_code, id_number, make_enterprise, make_worker

pytestmark = pytest.mark.django_db


def _run(actor=None, mode=ImportMode.ROW_BY_ROW, **sheets):
    return registry_import(workbook=rows_workbook(list(sheets.items())), actor=actor, mode=mode).job


def _rider(phone: str, **fields) -> dict:
    return {"name": "张三", "phone": phone, "occupation": "骑手", "work_region": "海盛社区",
            **fields}  # fmt: skip


def test_reimport__updates_only_changed_fields_and_audits_before_and_after(city):
    first = _run(worker=[_rider("13900000001", union_member="否")])
    second = _run(worker=[_rider("13900000001", union_member="是")])

    assert (first.counts["worker"]["created"], second.counts["worker"]["updated"]) == (1, 1)
    entry = AuditLog.objects.get(action="worker.import_update")
    assert (entry.before, entry.after) == ({"union_member": False}, {"union_member": True})


def test_reimport__blank_cells_keep_what_is_recorded(city):
    _run(worker=[_rider("13900000001", id_number=messy.ID_ZHANG, political_status="党员")])

    job = _run(worker=[{"name": "张三", "phone": "13900000001"}])

    worker = Worker.objects.get(phone="13900000001")
    assert job.counts["worker"]["unchanged"] == 1
    assert (worker.id_number, worker.political_status) == (messy.ID_ZHANG, "party_member")


def test_reimport__matches_by_id_number_when_the_phone_changed(city):
    number = id_number()
    _run(worker=[_rider("13900000001", id_number=number)])

    job = _run(worker=[_rider("13900000002", id_number=number)])

    assert job.counts["worker"]["updated"] == 1
    assert list(Worker.objects.values_list("phone", flat=True)) == ["13900000002"]


def test_import__phone_of_one_person_and_id_of_another_is_an_error(city):
    number = id_number()
    _run(worker=[_rider("13900000001", id_number=number), _rider("13900000002")])

    job = _run(worker=[_rider("13900000002", id_number=number)])

    assert [e["code"] for e in job.errors] == ["registry.duplicate_id_number"]
    assert "139****0001" in job.errors[0]["message"]


def test_import__enterprise_renamed_through_its_credit_code(city):
    code = credit_code()
    make_enterprise(city["haisheng"], name="美团外卖南调站", credit_code=code)

    job = _run(enterprise=[{"name": "美团外卖南调配送站", "credit_code": code}])

    assert job.counts["enterprise"]["updated"] == 1
    assert Enterprise.objects.get(credit_code=code).name == "美团外卖南调配送站"


def test_import__enterprise_links_are_replaced_by_the_sheet(city):
    meituan = make_enterprise(city["haisheng"], name="美团外卖南调站")
    eleme = make_enterprise(city["haisheng"], name="饿了么南调站")
    _run(worker=[_rider("13900000001", enterprises="美团外卖南调站")])

    job = _run(worker=[_rider("13900000001", enterprises="饿了么南调站、美团外卖南调站")])
    again = _run(worker=[_rider("13900000001", enterprises="饿了么南调站")])

    worker = Worker.objects.get(phone="13900000001")
    assert job.counts["worker"]["updated"] == 1 and again.counts["worker"]["updated"] == 1
    assert list(worker.enterprises.all()) == [eleme]
    assert meituan.workers.count() == 0


def test_import__links_existing_worker_accounts_by_phone(city):
    account = UserFactory(role=Role.WORKER, phone="13900000001")

    _run(worker=[_rider("13900000001"), _rider("13900000002")])

    assert Worker.objects.get(phone="13900000001").user == account
    assert Worker.objects.get(phone="13900000002").user is None


def test_import__rows_outside_the_importers_jurisdiction_are_errors(city):
    clerk = staff(Role.COMMUNITY_STAFF, city["haisheng"])

    job = _run(actor=clerk, worker=[_rider("13900000001"),
                                    _rider("13900000002", work_region="新园社区")])  # fmt: skip

    assert [(e["row"], e["code"]) for e in job.errors] == [(3, "auth.out_of_jurisdiction")]
    assert list(Worker.objects.values_list("phone", flat=True)) == ["13900000001"]


def test_import__liaison_imports_only_their_enterprises_workers(city):
    theirs = make_enterprise(city["haisheng"], name="美团外卖南调站")
    make_enterprise(city["haisheng"], name="饿了么南调站")
    liaison = UserFactory(role=Role.ENTERPRISE_LIAISON)
    enterprise_set_liaisons(enterprise=theirs, liaisons=[liaison], actor=None)

    job = _run(
        actor=liaison,
        enterprise=[{"name": "新站", "kind": "站点", "industry": "外卖", "county": "坡头区"}],
        worker=[_rider("13900000001", enterprises="美团外卖南调站"),
                _rider("13900000002", enterprises="饿了么南调站"), _rider("13900000003")],
    )  # fmt: skip

    assert {(e["sheet"], e["row"], e["code"]) for e in job.errors} == {
        ("企业台账", 2, "registry.not_allowed"),
        ("从业人员台账", 3, "registry.not_your_enterprise"),
        ("从业人员台账", 4, "registry.not_your_enterprise"),
    }
    assert list(theirs.workers.values_list("phone", flat=True)) == ["13900000001"]


def test_import__full_export_imports_back_unchanged(city):
    enterprise = make_enterprise(city["haisheng"], name="美团外卖南调站")
    make_worker(city["haisheng"], phone="13900000001", id_number=messy.ID_ZHANG,
                enterprises=[enterprise], political_status="党员")  # fmt: skip
    make_worker(city["nandiao_c"], phone="13900000002", union_member=True)
    data = export_workers(Worker.objects.all(), full_numbers=True)

    job = import_file(file=io.BytesIO(data), actor=None, file_name="export.xlsx").job

    assert job.status == ImportStatus.SUCCEEDED
    assert job.counts["worker"] == {"created": 0, "updated": 0, "unchanged": 2, "failed": 0}


def test_import__a_masked_export_cannot_be_imported_and_says_why(city):
    make_worker(city["haisheng"], phone="13900000001")
    data = export_workers(Worker.objects.all(), full_numbers=False)

    job = import_file(file=io.BytesIO(data), actor=None).job

    assert [e["code"] for e in job.errors] == ["registry.masked_phone"]


def test_import__the_blank_template_is_recognised_and_empty(city):
    job = import_file(file=io.BytesIO(template_workbook()), actor=None).job

    assert job.status == ImportStatus.SUCCEEDED
    assert job.counts == {
        "enterprise": {"created": 0, "updated": 0, "unchanged": 0, "failed": 0},
        "worker": {"created": 0, "updated": 0, "unchanged": 0, "failed": 0},
    }


def test_cli__dry_run_then_row_by_row_writes_an_error_report(city, tmp_path):
    path = messy.build_messy_workbook(tmp_path / "台账.xlsx")
    out = io.StringIO()

    with pytest.raises(CommandError):
        call_command(
            "import_registry", str(path), "--no-progress", stdout=out, stderr=io.StringIO()
        )
    call_command("import_registry", str(path), "--dry-run", "--no-progress", stdout=out,
                 stderr=io.StringIO())  # fmt: skip
    call_command("import_registry", str(path), "--row-by-row", "--no-progress", stdout=out,
                 stderr=io.StringIO())  # fmt: skip

    text = out.getvalue()
    assert "从业人员：新增 4，更新 0，无变化 0，有错误 7" in text
    assert (tmp_path / "台账-错误报告.xlsx").exists()
    assert Worker.objects.count() == messy.GOOD_WORKERS
    assert list(ImportJob.objects.order_by("id").values_list("status", flat=True)) == [
        "failed",
        "checked",
        "partial",
    ]


def test_cli__as_a_user_and_writes_the_template(city, tmp_path):
    clerk = staff(Role.COMMUNITY_STAFF, city["haisheng"], phone="13700000001")
    path = messy.build_messy_workbook(tmp_path / "台账.xlsx")

    call_command("import_registry", "--template", str(tmp_path / "模板.xlsx"), stdout=io.StringIO())
    call_command("import_registry", str(path), "--row-by-row", "--user", "137 0000 0001",
                 "--no-progress", stdout=io.StringIO(), stderr=io.StringIO())  # fmt: skip

    job = ImportJob.objects.get()
    assert (tmp_path / "模板.xlsx").exists()
    assert job.created_by == clerk
    assert any(e["code"] == "auth.out_of_jurisdiction" for e in job.errors)


def test_import__a_row_created_meanwhile_by_someone_else_makes_the_import_retry(city, monkeypatch):
    from nuanxin.core.errors import ApplicationError
    from nuanxin.registry.importing import engine

    real_write = engine.write_plans

    def someone_was_faster(**kwargs):
        make_worker(city["haisheng"], phone="13900000002", name="别人先登记")
        return real_write(**kwargs)

    monkeypatch.setattr(engine, "write_plans", someone_was_faster)

    with pytest.raises(ApplicationError) as caught:
        _run(worker=[_rider("13900000001"), _rider("13900000002")])

    assert caught.value.code == "registry.import_conflict"
    assert list(Worker.objects.values_list("phone", flat=True)) == []
    assert not ImportJob.objects.exists()
