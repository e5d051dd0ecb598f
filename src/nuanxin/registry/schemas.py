import datetime as dt
from typing import Annotated, Any, Literal

from ninja import Schema
from pydantic import ConfigDict, Field

from nuanxin.core.schema import Date, Id, Ids, Lat, Lon, Quantity, Year
from nuanxin.geo.coords import CoordSystem
from nuanxin.geo.models import Region
from nuanxin.registry.models import (
    Enterprise,
    ImportJob,
    Registration,
    SurveyCampaign,
    SurveyFinding,
    Worker,
)


class RegionRef(Schema):
    code: str
    name: str
    level: str

    @staticmethod
    def of(region: Region | None) -> "RegionRef | None":
        if region is None:
            return None
        return RegionRef(code=region.code, name=region.name, level=region.level)


class EnterpriseRef(Schema):
    id: int
    name: str


class EnterpriseOut(Schema):
    id: int
    name: str
    credit_code: str | None
    kind: str
    kind_label: str
    industry: str
    industry_label: str
    platform_brand: str
    hq_outside_city: bool
    address: str
    lon: float | None = Field(description="经度（WGS-84）")
    lat: float | None = Field(description="纬度（WGS-84）")
    region: RegionRef
    contact_name: str
    contact_phone: str = Field(description="已脱敏")
    worker_count: int | None
    status: str
    status_label: str

    @staticmethod
    def resolve_kind_label(obj: Enterprise) -> str:
        return obj.get_kind_display()

    @staticmethod
    def resolve_industry_label(obj: Enterprise) -> str:
        return obj.get_industry_display()

    @staticmethod
    def resolve_status_label(obj: Enterprise) -> str:
        return obj.get_status_display()

    @staticmethod
    def resolve_contact_phone(obj: Enterprise) -> str:
        return obj.masked_contact_phone


class EnterpriseIn(Schema):
    name: str
    kind: str = Field(description="platform_hq, regional_branch, station, franchise, ...")
    industry: str = Field(description="food_delivery, express, ride_hailing, freight, ...")
    region_code: str | None = Field(None, description="区划代码；不填时按坐标确定")
    credit_code: str | None = None
    platform_brand: str = ""
    hq_outside_city: bool = False
    address: str = ""
    lon: Lon | None = None
    lat: Lat | None = None
    coord_system: CoordSystem = CoordSystem.WGS84
    contact_name: str = ""
    contact_phone: str = ""
    worker_count: Quantity | None = None
    status: str = "active"


class EnterprisePatch(Schema):
    model_config = ConfigDict(extra="forbid")

    name: str | None = None
    kind: str | None = None
    industry: str | None = None
    region_code: str | None = None
    credit_code: str | None = None
    platform_brand: str | None = None
    hq_outside_city: bool | None = None
    address: str | None = None
    lon: Lon | None = None
    lat: Lat | None = None
    coord_system: CoordSystem | None = None
    contact_name: str | None = None
    contact_phone: str | None = None
    worker_count: Quantity | None = None
    status: str | None = None


class WorkerOut(Schema):
    id: int
    name: str
    phone: str = Field(description="已脱敏")
    id_number: str = Field(description="已脱敏")
    gender: str
    birth_year: int | None
    occupation: str
    occupation_label: str
    enterprises: list[EnterpriseRef]
    home_region: RegionRef | None
    work_region: RegionRef | None
    region: RegionRef
    political_status: str
    political_status_label: str
    union_member: bool
    status: str
    has_account: bool

    @staticmethod
    def resolve_phone(obj: Worker) -> str:
        return obj.masked_phone

    @staticmethod
    def resolve_id_number(obj: Worker) -> str:
        return obj.masked_id_number

    @staticmethod
    def resolve_occupation_label(obj: Worker) -> str:
        return obj.get_occupation_display()

    @staticmethod
    def resolve_political_status_label(obj: Worker) -> str:
        return obj.get_political_status_display()

    @staticmethod
    def resolve_has_account(obj: Worker) -> bool:
        return obj.user_id is not None


class WorkerIn(Schema):
    name: str
    phone: str
    occupation: str
    id_number: str | None = None
    gender: str = ""
    birth_year: Year | None = None
    enterprise_ids: Ids = []
    home_region_code: str | None = None
    work_region_code: str | None = None
    political_status: str = "masses"
    union_member: bool = False
    status: str = "active"


class WorkerPatch(Schema):
    model_config = ConfigDict(extra="forbid")

    name: str | None = None
    phone: str | None = None
    occupation: str | None = None
    id_number: str | None = None
    gender: str | None = None
    birth_year: Year | None = None
    enterprise_ids: Ids | None = None
    home_region_code: str | None = None
    work_region_code: str | None = None
    political_status: str | None = None
    union_member: bool | None = None
    status: str | None = None


class WorkerNumbersOut(Schema):
    phone: str
    id_number: str


class RevealIn(Schema):
    purpose: str = Field(description="为什么需要完整号码（记入操作日志），如：核实身份、联系本人")


class RegistrationOut(Schema):
    id: int
    subject_kind: str
    enterprise: EnterpriseRef | None
    worker_id: int | None
    worker_name: str | None
    worker_phone: str | None = Field(description="已脱敏")
    community: RegionRef
    status: str
    status_label: str
    channel: str
    note: str
    submitted_at: dt.datetime
    decided_at: dt.datetime | None
    decision_reason: str

    @staticmethod
    def resolve_worker_name(obj: Registration) -> str | None:
        return obj.worker.name if obj.worker_id else None

    @staticmethod
    def resolve_worker_phone(obj: Registration) -> str | None:
        return obj.worker.masked_phone if obj.worker_id else None

    @staticmethod
    def resolve_status_label(obj: Registration) -> str:
        return obj.get_status_display()


class RegistrationIn(Schema):
    community_code: str
    enterprise_id: Id | None = None
    worker_id: Id | None = None
    note: str = ""
    accept_now: bool = Field(False, description="工作人员代办时直接通过")


class AcceptIn(Schema):
    note: str = ""


class RejectIn(Schema):
    reason: str


class CountsOut(Schema):
    enterprises: int
    workers: int
    party_members: int
    registered_enterprises: int
    registered_workers: int


class CountRowOut(Schema):
    region: RegionRef
    counts: CountsOut
    has_children: bool


class StatsOut(Schema):
    region: RegionRef
    counts: CountsOut
    children: list[CountRowOut]


class IssueOut(Schema):
    sheet: str
    row: int
    column: str
    message: str
    label: str = ""
    code: str = ""


class ImportOut(Schema):
    id: int
    file_name: str
    mode: str
    status: str
    status_label: str
    counts: dict[str, dict[str, int]]
    error_count: int
    errors: list[IssueOut] = Field(description="最多 200 条；完整列表见错误报告")
    warnings: list[IssueOut]
    duration_ms: int
    error_report_url: str | None

    @staticmethod
    def of(job: ImportJob, report_url: str | None) -> "ImportOut":
        return ImportOut(
            id=job.pk,
            file_name=job.file_name,
            mode=job.mode,
            status=job.status,
            status_label=job.get_status_display(),
            counts=job.counts,
            error_count=len(job.errors),
            errors=job.errors[:200],
            warnings=job.warnings[:200],
            duration_ms=job.duration_ms,
            error_report_url=report_url if job.errors else None,
        )


class CampaignIn(Schema):
    name: str
    start_date: Date
    end_date: Date
    target_codes: list[str] = Field(max_length=500)
    description: str = ""


class FindingOut(Schema):
    id: int
    kind: str
    kind_label: str
    outcome: str
    outcome_label: str
    region: RegionRef
    subject: str
    enterprise_id: int | None
    worker_id: int | None
    organisation_kind: str
    changes: dict[str, Any]
    note: str
    recorded_at: dt.datetime

    @staticmethod
    def of(finding: SurveyFinding) -> "FindingOut":
        return FindingOut(
            id=finding.pk,
            kind=finding.kind,
            kind_label=finding.get_kind_display(),
            outcome=finding.outcome,
            outcome_label=finding.get_outcome_display(),
            region=RegionRef.of(finding.region),
            subject=finding.subject_name,
            enterprise_id=finding.enterprise_id,
            worker_id=finding.worker_id,
            organisation_kind=finding.organisation_kind,
            changes=finding.changes,
            note=finding.note,
            recorded_at=finding.recorded_at,
        )


class CampaignOut(Schema):
    id: int
    name: str
    description: str
    start_date: dt.date
    end_date: dt.date
    targets: list[RegionRef]
    closed: bool
    baseline: dict[str, dict[str, int]]
    now: dict[str, dict[str, int]] = Field(description="进行中为当前底数，已结束为结束时底数")
    found: dict[str, dict[str, int]] = Field(description="类别 -> 结果 -> 数量")

    @staticmethod
    def of(campaign: SurveyCampaign, now: dict, found: dict) -> "CampaignOut":
        return CampaignOut(
            id=campaign.pk,
            name=campaign.name,
            description=campaign.description,
            start_date=campaign.start_date,
            end_date=campaign.end_date,
            targets=[RegionRef.of(r) for r in campaign.target_regions.all()],
            closed=campaign.is_closed,
            baseline=campaign.baseline,
            now=now,
            found=found,
        )


class EnterpriseFindingIn(Schema):
    """找企业: a known enterprise (``enterprise_id``, ``data`` corrects its fields) or a new one
    (``data`` as for ``POST /enterprises``)."""

    kind: Literal["enterprise"]
    enterprise_id: Id | None = Field(None, description="已登记的企业；不填则按 data 新登记")
    data: EnterprisePatch = Field(default_factory=EnterprisePatch)
    note: str = ""


class MemberFindingIn(Schema):
    """找党员: a known worker (``worker_id``, ``data`` corrects) or a new one (``data`` as for
    ``POST /workers``)."""

    kind: Literal["member"]
    worker_id: Id | None = Field(None, description="已登记的人员；不填则按 data 新登记")
    data: WorkerPatch = Field(default_factory=WorkerPatch)
    note: str = ""


class OrganisationFindingIn(Schema):
    """找组织: an organisation in a region, optionally inside an enterprise."""

    kind: Literal["organisation"]
    organisation_name: str = ""
    organisation_kind: str = ""
    region_code: str | None = None
    enterprise_id: Id | None = Field(None, description="所在企业")
    note: str = ""


FindingIn = Annotated[
    EnterpriseFindingIn | MemberFindingIn | OrganisationFindingIn, Field(discriminator="kind")
]


class MineOut(Schema):
    """A worker's own record (numbers masked) and registrations, for the app."""

    worker: WorkerOut | None
    registrations: list[RegistrationOut]


class JoinIn(Schema):
    """What the app sends after a worker scans a community's QR code."""

    community_code: str
    name: str = ""
    occupation: str = "other"
    enterprise_name: str = ""
    political_status: str = "masses"
    union_member: bool = False
    note: str = ""
