import datetime as dt
from typing import Any

from ninja import Schema
from pydantic import Field

from nuanxin.core.schema import Id, Ids, LatParam, LonParam
from nuanxin.geo.coords import CoordSystem


class OptionOut(Schema):
    key: str
    name: str


class QuestionOut(Schema):
    code: str
    label: str
    type: str
    required: bool
    options: list[OptionOut]
    hint: str = ""


class CategoryOut(Schema):
    code: str
    name: str
    group: str
    description: str
    keywords: str
    points: int
    department: str | None
    questions: list[QuestionOut]
    anonymous_public: bool
    handling_hours: int


class DepartmentOut(Schema):
    code: str
    name: str


class NearbyOut(Schema):
    id: int
    category: str
    category_name: str
    state: str
    state_name: str
    distance_m: float
    summary: str
    support_count: int
    created_at: dt.datetime


class ReportIn(Schema):
    category: str = Field(description="类别代码（Open311 service_code）")
    lon: LonParam
    lat: LatParam
    coord_system: CoordSystem = CoordSystem.WGS84
    description: str
    address: str = ""
    answers: str = Field("{}", description="补充问题的回答，JSON 对象字符串")


class PhotoOut(Schema):
    id: int
    kind: str
    url: str
    thumbnail_url: str
    width: int
    height: int
    hidden: bool


class EventOut(Schema):
    kind: str
    kind_name: str
    to_state: str
    note: str
    at: dt.datetime


class ReportOut(Schema):
    """A report as its reporter sees it."""

    id: int
    category: str
    category_name: str
    state: str
    state_name: str
    description: str
    answers: dict[str, Any]
    address: str
    lon: float
    lat: float
    region: str
    created_at: dt.datetime
    due_at: dt.datetime
    points_requested: int
    points_awarded: int
    points_note: str = Field(description="已发积分少于应得时的原因（如已达每日上限）；否则为空")
    reject_reason: str
    resolution_note: str
    duplicate_of: int | None
    support_count: int
    can_reopen: bool
    photos: list[PhotoOut]
    events: list[EventOut]


class StaffEventOut(EventOut):
    actor: str
    internal_note: str
    data: dict[str, Any]


class StaffReportOut(Schema):
    """A report as the staff over its area see it: the reporter only masked."""

    id: int
    category: str
    category_name: str
    state: str
    state_name: str
    description: str
    original_description: str
    answers: dict[str, Any]
    address: str
    media_url: str
    lon: float
    lat: float
    region: str
    region_code: str
    community: str | None
    department: str | None
    assignee: str | None
    reporter: str
    channel: str
    created_at: dt.datetime
    due_at: dt.datetime
    overdue: bool
    points_requested: int
    points_awarded: int
    points_note: str = Field(description="已发积分少于应得时的原因（如已达每日上限）；否则为空")
    support_count: int
    duplicate_of: int | None
    public_hidden: bool
    photos: list[PhotoOut]
    events: list[StaffEventOut] = []


class QueueOut(Schema):
    count: int
    items: list[StaffReportOut]


class NoteIn(Schema):
    note: str = ""


class ReasonIn(Schema):
    reason: str


class DuplicateIn(Schema):
    original: Id
    note: str = ""


class DispatchIn(Schema):
    department: str
    note: str = ""


class ReassignIn(Schema):
    region: str = Field(description="目标社区或网格的区划代码")
    note: str = ""


class AssignIn(Schema):
    assignee: Id | None = Field(None, description="同事的用户 id；为空表示收回")


class EditIn(Schema):
    description: str
    reason: str


class HideIn(Schema):
    hidden: bool = True
    reason: str = ""


class PurposeIn(Schema):
    purpose: str


class ContactOut(Schema):
    name: str
    phone: str
    email: str


class SupportIn(Schema):
    note: str = ""


class BulkIn(Schema):
    ids: Ids
    note: str = ""
    reason: str = ""


class BulkOut(Schema):
    done: list[int]
    failed: dict[int, str]


class TemplateOut(Schema):
    id: int
    state: str
    title: str
    text: str


class PublicFeatureCollection(Schema):
    type: str = "FeatureCollection"
    crs: CoordSystem
    features: list[dict[str, Any]]
