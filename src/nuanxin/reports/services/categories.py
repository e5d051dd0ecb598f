"""City admins configure categories, departments, area routes and response templates."""

from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from nuanxin.core.audit import audit_record, snapshot
from nuanxin.core.errors import ApplicationError, forbidden
from nuanxin.core.scoping import jurisdiction_path
from nuanxin.geo.models import Region
from nuanxin.reports.defaults import DEFAULT_CATEGORIES, DEFAULT_DEPARTMENTS, DEFAULT_TEMPLATES
from nuanxin.reports.models import Category, CategoryRoute, Department, ResponseTemplate
from nuanxin.reports.questions import questions_clean

CATEGORY_FIELDS = [
    "code",
    "name",
    "group",
    "description",
    "keywords",
    "points",
    "department",
    "questions",
    "anonymous_public",
    "public_photos",
    "handling_hours",
    "sort_order",
    "is_active",
]


def require_city_admin(actor: Any) -> None:
    """Categories are city-wide: only those who govern the whole city may change them."""
    if actor is None:
        return  # the loader and migrations configure defaults
    path = jurisdiction_path(actor)
    city_level = path == "" or (path is not None and path.count("/") == 1)
    if not city_level:
        raise forbidden("reports.city_admin_only", _("只有市级管理员可以修改问题类别。"))


@transaction.atomic
def category_save(*, actor: Any, code: str, **fields: Any) -> Category:
    """Create or update a category by its code."""
    require_city_admin(actor)
    code = (code or "").strip()
    if not code:
        raise ApplicationError("reports.bad_category", _("类别代码不能为空。"))
    if "questions" in fields:
        fields["questions"] = questions_clean(fields["questions"])
    points = fields.get("points")
    if points is not None and (not isinstance(points, int) or points < 0):
        raise ApplicationError("reports.bad_points", _("积分必须是非负整数。"))
    hours = fields.get("handling_hours")
    if hours is not None and (not isinstance(hours, int) or hours <= 0):
        raise ApplicationError("reports.bad_handling_hours", _("处置时限必须是正整数。"))
    unknown = set(fields) - set(CATEGORY_FIELDS)
    if unknown:
        raise ApplicationError(
            "reports.bad_category", _("未知字段。"), extra={"fields": sorted(unknown)}
        )
    category = Category.objects.select_for_update().filter(code=code).first()
    before = snapshot(category, CATEGORY_FIELDS) if category else None
    if category is None:
        if not fields.get("name"):
            raise ApplicationError("reports.bad_category", _("类别名称不能为空。"))
        category = Category(code=code)
    for name, value in fields.items():
        setattr(category, name, value)
    category.save()
    audit_record(
        actor=actor,
        action="reports.category_save",
        obj=category,
        before=before,
        after=snapshot(category, CATEGORY_FIELDS),
    )
    return category


@transaction.atomic
def department_save(
    *,
    actor: Any,
    code: str,
    name: str,
    region: Region | None = None,
    phone: str = "",
    is_active: bool = True,
) -> Department:
    require_city_admin(actor)
    department = Department.objects.select_for_update().filter(code=code).first()
    before = snapshot(department, ["name", "region", "phone", "is_active"]) if department else None
    department = department or Department(code=code)
    department.name, department.region, department.phone = name, region, phone
    department.is_active = is_active
    department.save()
    audit_record(
        actor=actor,
        action="reports.department_save",
        obj=department,
        before=before,
        after=snapshot(department, ["name", "region", "phone", "is_active"]),
    )
    return department


@transaction.atomic
def category_route_set(
    *, actor: Any, category: Category, region: Region, department: Department | None
) -> CategoryRoute | None:
    """Route a category to another department inside an area (None removes the route)."""
    require_city_admin(actor)
    route = CategoryRoute.objects.filter(category=category, region=region).first()
    before = {"department": route.department_id} if route else None
    if department is None:
        if route is not None:
            audit_record(actor=actor, action="reports.route_delete", obj=route, before=before)
            route.delete()
        return None
    route = route or CategoryRoute(category=category, region=region)
    route.department = department
    route.save()
    audit_record(
        actor=actor,
        action="reports.route_set",
        obj=route,
        before=before,
        after={"department": department.pk},
    )
    return route


@transaction.atomic
def template_save(
    *,
    actor: Any,
    state: str,
    title: str,
    text: str,
    category: Category | None = None,
    is_active: bool = True,
) -> ResponseTemplate:
    require_city_admin(actor)
    template = ResponseTemplate.objects.filter(state=state, title=title, category=category).first()
    before = snapshot(template, ["text", "is_active"]) if template else None
    template = template or ResponseTemplate(state=state, title=title, category=category)
    template.text, template.is_active = text, is_active
    template.save()
    audit_record(
        actor=actor,
        action="reports.template_save",
        obj=template,
        before=before,
        after=snapshot(template, ["text", "is_active"]),
    )
    return template


def defaults_install(*, actor: Any = None) -> int:
    """Create the default departments, categories and templates that do not exist yet."""
    created = 0
    for code, name in DEFAULT_DEPARTMENTS:
        if not Department.objects.filter(code=code).exists():
            department_save(actor=actor, code=code, name=name)
            created += 1
    for spec in DEFAULT_CATEGORIES:
        if Category.objects.filter(code=spec["code"]).exists():
            continue
        fields = dict(spec)
        department = fields.pop("department", None)
        fields["department"] = Department.objects.filter(code=department).first()
        category_save(actor=actor, **fields)
        created += 1
    for state, title, text in DEFAULT_TEMPLATES:
        if not ResponseTemplate.objects.filter(state=state, title=title).exists():
            template_save(actor=actor, state=state, title=title, text=text)
            created += 1
    return created
