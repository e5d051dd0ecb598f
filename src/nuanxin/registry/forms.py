"""Forms of the registry pages. They parse input; the services validate and write."""

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from nuanxin.core.forms import EdgeForm
from nuanxin.geo.models import Region
from nuanxin.registry.models import (
    PLATFORM_BRANDS,
    EnterpriseKind,
    EnterpriseStatus,
    Gender,
    ImportMode,
    Industry,
    Occupation,
    OrganisationKind,
    PoliticalStatus,
    SurveyCampaign,
    WorkerStatus,
)


class RegionPicker(forms.Widget):
    """Chained selects (county > street > community > grid) below the user's region.

    Each select reloads the chain with htmx when it changes; the value posted is the deepest
    chosen region's code, or the root's when nothing below it is chosen.
    """

    template_name = "registry/widgets/region_picker.html"
    root: Region | None = None

    def get_context(self, name: str, value: Any, attrs: dict[str, Any] | None) -> dict[str, Any]:
        from nuanxin.registry.views.common import picker_levels

        context = super().get_context(name, value, attrs)
        selected = Region.objects.filter(code=value).first() if value else None
        context["levels"] = picker_levels(self.root, selected)
        context["root"] = self.root
        return context

    def value_from_datadict(self, data: Any, files: Any, name: str) -> str | None:
        values = [v for v in data.getlist(name) if v] if hasattr(data, "getlist") else []
        if values:
            return values[-1]
        return self.root.code if self.root is not None else None

    def format_value(self, value: Any) -> Any:
        return value.code if isinstance(value, Region) else value


class RegionField(forms.CharField):
    widget = RegionPicker

    def to_python(self, value: Any) -> Region | None:
        code = super().to_python(value)
        if not code:
            return None
        region = Region.objects.filter(code=code).first()
        if region is None:
            raise forms.ValidationError(_("区域不存在。"))
        return region


def _choices(choices: type, blank: str | None = None) -> list[tuple[str, Any]]:
    options = list(choices.choices)
    return [("", blank), *options] if blank is not None else options


class EnterpriseForm(EdgeForm):
    name = forms.CharField(label=_("企业名称"), max_length=200)
    credit_code = forms.CharField(
        label=_("统一社会信用代码"), max_length=30, required=False,
        help_text=_("18 位，有则必填，系统会核对校验位。"),
    )  # fmt: skip
    kind = forms.ChoiceField(label=_("企业类型"), choices=_choices(EnterpriseKind))
    industry = forms.ChoiceField(label=_("所属行业"), choices=_choices(Industry))
    platform_brand = forms.CharField(label=_("平台品牌"), max_length=50, required=False)
    hq_outside_city = forms.BooleanField(label=_("总部在市外"), required=False)
    region = RegionField(label=_("所属区域"))
    address = forms.CharField(label=_("详细地址"), max_length=255, required=False)
    lon = forms.FloatField(label=_("经度"), required=False)
    lat = forms.FloatField(label=_("纬度"), required=False)
    coord_system = forms.ChoiceField(
        label=_("坐标系"),
        choices=[("wgs84", "WGS-84 (GPS)"), ("gcj02", _("GCJ-02（高德/腾讯）")),
                 ("bd09", _("BD-09（百度）"))],
        required=False,
    )  # fmt: skip
    contact_name = forms.CharField(label=_("联系人"), max_length=50, required=False)
    contact_phone = forms.CharField(label=_("联系电话"), max_length=30, required=False)
    worker_count = forms.IntegerField(label=_("从业人员数"), min_value=0, required=False)
    status = forms.ChoiceField(label=_("经营状态"), choices=_choices(EnterpriseStatus))

    brands = PLATFORM_BRANDS

    def __init__(self, *args: Any, root: Region | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["region"].widget.root = root
        self.fields["platform_brand"].widget.attrs["list"] = "brands"


LIAISON_ENTERPRISE_FIELDS = [
    "platform_brand", "hq_outside_city", "address", "lon", "lat", "coord_system",
    "contact_name", "contact_phone", "worker_count",
]  # fmt: skip


class WorkerForm(EdgeForm):
    name = forms.CharField(label=_("姓名"), max_length=50)
    phone = forms.CharField(label=_("手机号"), max_length=20)
    id_number = forms.CharField(
        label=_("身份证号"), max_length=30, required=False,
        help_text=_("选填；填写后性别和出生年份以身份证为准。"),
    )  # fmt: skip
    gender = forms.ChoiceField(label=_("性别"), choices=_choices(Gender, "—"), required=False)
    birth_year = forms.IntegerField(label=_("出生年份"), required=False)
    occupation = forms.ChoiceField(label=_("职业"), choices=_choices(Occupation))
    enterprises = forms.CharField(
        label=_("所属企业"), required=False,
        help_text=_("企业名称，多个用“、”分隔。"),
    )  # fmt: skip
    work_region = RegionField(label=_("工作地"))
    home_region = RegionField(label=_("居住地"), required=False)
    political_status = forms.ChoiceField(label=_("政治面貌"), choices=_choices(PoliticalStatus))
    union_member = forms.BooleanField(label=_("工会会员"), required=False)
    status = forms.ChoiceField(label=_("在职状态"), choices=_choices(WorkerStatus))

    def __init__(self, *args: Any, root: Region | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["work_region"].widget.root = root
        self.fields["home_region"].widget = RegionPicker()
        self.fields["home_region"].widget.root = None  # people live anywhere in the city
        self.fields["enterprises"].widget.attrs["list"] = "enterprise-names"


class ImportForm(EdgeForm):
    file = forms.FileField(label=_("Excel 文件（.xlsx）"))
    mode = forms.ChoiceField(
        label=_("导入方式"), choices=ImportMode.choices, initial=ImportMode.ALL_OR_NOTHING,
        widget=forms.RadioSelect,
    )  # fmt: skip
    campaign = forms.ModelChoiceField(
        label=_("记入三找行动"), queryset=SurveyCampaign.objects.none(), required=False,
        empty_label=_("（不记入）"),
    )  # fmt: skip

    def __init__(self, *args: Any, campaigns: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if campaigns is not None:
            self.fields["campaign"].queryset = campaigns.filter(closed_at__isnull=True)


class RejectForm(EdgeForm):
    reason = forms.CharField(label=_("退回原因"), max_length=500)


class OnBehalfForm(EdgeForm):
    community = RegionField(label=_("报到社区"))
    enterprise_name = forms.CharField(label=_("企业名称"), required=False)
    worker_phone = forms.CharField(label=_("或 人员手机号"), required=False)
    note = forms.CharField(label=_("说明"), required=False, max_length=500)
    accept_now = forms.BooleanField(label=_("直接通过"), required=False, initial=True)

    def __init__(self, *args: Any, root: Region | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["community"].widget.root = root
        self.fields["enterprise_name"].widget.attrs["list"] = "enterprise-names"


class JoinForm(EdgeForm):
    """What a worker tells the community when they first register by its QR code."""

    name = forms.CharField(label=_("姓名"), max_length=50)
    occupation = forms.ChoiceField(label=_("职业"), choices=_choices(Occupation))
    enterprise_name = forms.CharField(label=_("所属企业/平台站点"), required=False)
    political_status = forms.ChoiceField(
        label=_("政治面貌"), choices=_choices(PoliticalStatus), initial=PoliticalStatus.MASSES
    )
    union_member = forms.BooleanField(label=_("已加入工会"), required=False)
    note = forms.CharField(label=_("留言"), required=False, max_length=500)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["enterprise_name"].widget.attrs["list"] = "enterprise-names"


_DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class CampaignForm(EdgeForm):
    name = forms.CharField(label=_("行动名称"), max_length=100)
    start_date = forms.DateField(
        label=_("开始日期"), widget=forms.DateInput(attrs={"type": "date"})
    )
    end_date = forms.DateField(label=_("结束日期"), widget=forms.DateInput(attrs={"type": "date"}))
    targets = forms.ModelMultipleChoiceField(
        label=_("目标区域"), queryset=Region.objects.none(),
        widget=forms.CheckboxSelectMultiple,
    )  # fmt: skip
    description = forms.CharField(label=_("说明"), required=False, widget=forms.Textarea)

    def __init__(self, *args: Any, root: Region | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if root is not None:
            self.fields["targets"].queryset = Region.objects.filter(parent=root).order_by("code")


class FindingOrganisationForm(EdgeForm):
    organisation_name = forms.CharField(label=_("组织名称"), max_length=200)
    organisation_kind = forms.ChoiceField(label=_("组织类别"), choices=_choices(OrganisationKind))
    region = RegionField(label=_("所在区域"))
    enterprise_name = forms.CharField(label=_("所在企业"), required=False)
    note = forms.CharField(label=_("备注"), required=False, max_length=500)

    def __init__(self, *args: Any, root: Region | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["region"].widget.root = root
        self.fields["enterprise_name"].widget.attrs["list"] = "enterprise-names"


class FindingSubjectForm(EdgeForm):
    """Find a known enterprise (by name) or party member (by phone) for a campaign."""

    enterprise_name = forms.CharField(label=_("企业名称"), required=False)
    worker_phone = forms.CharField(label=_("党员手机号"), required=False)
    political_status = forms.ChoiceField(
        label=_("核实后的政治面貌"), choices=_choices(PoliticalStatus, "—"), required=False
    )
    note = forms.CharField(label=_("备注"), required=False, max_length=500)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["enterprise_name"].widget.attrs["list"] = "enterprise-names"
