import re

from axes.models import AccessAttempt, AccessFailureLog, AccessLog
from django.contrib.auth.models import AbstractBaseUser, BaseUserManager, PermissionsMixin
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from nuanxin.core.crypto import blind_index
from nuanxin.core.fields import PhoneField, PhoneQuerySet, phones_sealed
from nuanxin.core.masking import mask_phone
from nuanxin.geo.models import RegionLevel

MOBILE_RE = re.compile(r"^1[3-9]\d{9}$")


def normalize_phone(raw: str) -> str:
    """Mainland mobile number from user input: spaces, dashes, full-width digits and +86 go."""
    text = (raw or "").translate({0xFF10 + i: ord("0") + i for i in range(10)})
    digits = re.sub(r"[\s\-()（）]", "", text)
    if digits.startswith("+86"):
        digits = digits[3:]
    elif digits.startswith("0086"):
        digits = digits[4:]
    return digits


def validate_phone(value: str) -> None:
    if not MOBILE_RE.match(value or ""):
        raise ValidationError(_("请输入有效的 11 位手机号码。"), code="invalid_phone")


class Role(models.TextChoices):
    WORKER = "worker", _("新就业群体劳动者")
    STATION_KEEPER = "station_keeper", _("驿站管理员")
    COMMUNITY_STAFF = "community_staff", _("社区工作人员")
    STREET_ADMIN = "street_admin", _("街道管理员")
    COUNTY_ADMIN = "county_admin", _("县（市、区）管理员")
    CITY_ADMIN = "city_admin", _("市级管理员")
    ENTERPRISE_LIAISON = "enterprise_liaison", _("企业联络员")


# The region level each staff role is bound to; their jurisdiction is that region's subtree.
ROLE_REGION_LEVEL: dict[str, str] = {
    Role.COMMUNITY_STAFF: RegionLevel.COMMUNITY,
    Role.STREET_ADMIN: RegionLevel.STREET,
    Role.COUNTY_ADMIN: RegionLevel.COUNTY,
    Role.CITY_ADMIN: RegionLevel.CITY,
}
STAFF_ROLES = frozenset(ROLE_REGION_LEVEL) | {Role.STATION_KEEPER, Role.ENTERPRISE_LIAISON}


USER_PHONE_PURPOSE = "accounts.user.phone"
SMS_PHONE_PURPOSE = "accounts.smscode.phone"


class UserManager(BaseUserManager.from_queryset(PhoneQuerySet)):  # type: ignore[misc]
    use_in_migrations = True

    def create_user(self, phone: str, password: str | None = None, **fields: object) -> "User":
        """Low-level creation for migrations and tests; application code uses services."""
        user = self.model(phone=normalize_phone(phone), **fields)
        user.set_password(password) if password else user.set_unusable_password()
        user.save(using=self._db)
        return user

    def create_superuser(self, phone: str, password: str | None = None, **fields: object) -> "User":
        fields.pop("is_staff", None)
        fields.update(is_superuser=True, role=Role.CITY_ADMIN)
        return self.create_user(phone, password, **fields)


class User(AbstractBaseUser, PermissionsMixin):
    """A person using nuanxin, identified by a mainland mobile number."""

    # Sealed at rest where PII_SEAL_PHONES is on (core.fields.PhoneField); found by phone_hash.
    phone = PhoneField(
        _("手机号"),
        unique=True,
        validators=[validate_phone],
        purpose=USER_PHONE_PURPOSE,
        hash_field="phone_hash",
        tail_field="phone_tail",
    )
    phone_hash = models.CharField(
        _("手机号检索值"), max_length=64, unique=True, null=True, blank=True, editable=False
    )
    phone_tail = models.CharField(
        _("手机尾号"), max_length=4, blank=True, db_index=True, editable=False
    )
    name = models.CharField(_("姓名"), max_length=50, blank=True)
    role = models.CharField(_("角色"), max_length=32, choices=Role.choices, default=Role.WORKER)
    region = models.ForeignKey(
        "geo.Region",
        verbose_name=_("所属区域"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="users",
        help_text=_("工作人员的管辖区域；劳动者的常驻区域。"),
    )
    is_active = models.BooleanField(_("启用"), default=True)
    date_joined = models.DateTimeField(_("注册时间"), default=timezone.now)

    objects = UserManager()

    USERNAME_FIELD = "phone"
    REQUIRED_FIELDS: list[str] = []

    class Meta:
        verbose_name = _("用户")
        verbose_name_plural = _("用户")
        indexes = [models.Index(fields=["role", "region"])]

    def __str__(self) -> str:
        return f"{self.name or _('用户')} {self.masked_phone}"

    @property
    def masked_phone(self) -> str:
        return mask_phone(self.phone)

    @property
    def is_staff(self) -> bool:
        """Staff roles (and superusers) may enter the back office."""
        return self.is_superuser or self.role in STAFF_ROLES

    @property
    def is_worker(self) -> bool:
        """Workers alone hold spendable points and order in the shop; staff never do."""
        return self.role == Role.WORKER and not self.is_superuser

    @property
    def is_region_staff(self) -> bool:
        return self.role in ROLE_REGION_LEVEL

    @property
    def jurisdiction_path(self) -> str | None:
        """The region subtree a staff member governs; None for workers and unbound staff."""
        if self.is_region_staff and self.region_id is not None:
            return self.region.path
        return None

    def get_full_name(self) -> str:
        return self.name

    def get_short_name(self) -> str:
        return self.name


class ApiToken(models.Model):
    """A bearer token. Only its SHA-256 digest is stored; the token is shown once at issue."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="api_tokens")
    digest = models.CharField(max_length=64, unique=True)
    prefix = models.CharField(_("前缀"), max_length=12)
    name = models.CharField(_("名称"), max_length=100, blank=True)
    created_at = models.DateTimeField(_("签发时间"), auto_now_add=True)
    expires_at = models.DateTimeField(_("过期时间"))
    last_used_at = models.DateTimeField(_("最近使用"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("吊销时间"), null=True, blank=True)
    # Issued after the second factor was checked: only such a token acts for a user whose role
    # needs one (accounts.second_factor).
    second_factor = models.BooleanField(_("经过两步验证"), default=False)

    class Meta:
        verbose_name = _("API 令牌")
        verbose_name_plural = _("API 令牌")

    def __str__(self) -> str:
        return f"{self.prefix}…"


class SmsCode(models.Model):
    """A one-time login code sent by SMS; stored as a digest, tried at most a few times.

    The rows are also the record the sending limits count (per phone, per client address, in
    all), so a code and its place in the counts are written in one transaction.
    """

    phone = PhoneField(db_index=True, purpose=SMS_PHONE_PURPOSE, hash_field="phone_hash")
    phone_hash = models.CharField(max_length=64, null=True, blank=True, editable=False)  # noqa: DJ001 - like User.phone_hash
    digest = models.CharField(max_length=64)
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField()
    attempts = models.PositiveSmallIntegerField(default=0)
    used_at = models.DateTimeField(null=True, blank=True)
    client_ip = models.GenericIPAddressField(null=True, blank=True)

    objects = models.Manager.from_queryset(PhoneQuerySet)()

    class Meta:
        indexes = [
            models.Index(fields=["phone", "-created_at"]),
            models.Index(fields=["phone_hash", "-created_at"], name="smscode_hash_recent"),
            models.Index(fields=["client_ip", "-created_at"], name="smscode_client_recent"),
            models.Index(fields=["-created_at"], name="smscode_recent"),
        ]

    def __str__(self) -> str:
        return f"{self.phone[:3]}****{self.phone[-4:]} @ {self.created_at:%Y-%m-%d %H:%M}"


class SmsLoginFailure(models.Model):
    """A wrong SMS code, counted per client address: an address guessing codes for many phones
    is stopped although each phone's code allows a few tries."""

    client_ip = models.GenericIPAddressField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        indexes = [models.Index(fields=["client_ip", "-created_at"], name="smsfail_client_recent")]

    def __str__(self) -> str:
        return f"{self.client_ip} @ {self.created_at:%Y-%m-%d %H:%M}"


class LoginMethod(models.TextChoices):
    PASSWORD = "password", _("密码")
    SMS = "sms", _("短信验证码")
    TOTP = "totp", _("动态验证码")
    BACKUP_CODE = "backup_code", _("备用验证码")


class LoginEvent(models.Model):
    """One login step, successful or not: the history a user sees on their profile page and
    admins see in the back office. ``user`` is empty for a phone with no account."""

    user = models.ForeignKey(
        User, verbose_name=_("用户"), null=True, blank=True, on_delete=models.CASCADE,
        related_name="login_events",
    )  # fmt: skip
    at = models.DateTimeField(_("时间"), default=timezone.now)
    method = models.CharField(_("方式"), max_length=16, choices=LoginMethod.choices)
    succeeded = models.BooleanField(_("成功"))
    reason = models.CharField(_("失败原因"), max_length=64, blank=True)
    client_ip = models.GenericIPAddressField(_("IP 地址"), null=True, blank=True)
    user_agent = models.CharField(_("浏览器"), max_length=255, blank=True)

    class Meta:
        verbose_name = _("登录历史")
        verbose_name_plural = _("登录历史")
        indexes = [
            models.Index(fields=["user", "-at"], name="loginevent_user_recent"),
            models.Index(fields=["-at"], name="loginevent_recent"),
        ]

    def __str__(self) -> str:
        at = timezone.localtime(self.at)
        return f"{self.get_method_display()} @ {at:%Y-%m-%d %H:%M:%S}"


_ACCOUNT_KEY_RE = re.compile(r"#[0-9a-f]{64}$")


def login_account(phone: str, *, sealed: bool | None = None) -> str:
    """How django-axes' rows (``username``) name the account of ``phone``: the phone itself, or
    with PII_SEAL_PHONES on (or ``sealed``) its masked form and keyed hash, ``138****1234#<64
    hex>``, so the lockout still counts per account and a person reading the records sees the
    masked phone. The hash is the account's ``phone_hash``, so the form can be turned back."""
    if not phone or not (phones_sealed() if sealed is None else sealed):
        return phone
    return f"{mask_phone(phone)}#{blind_index(phone, purpose=USER_PHONE_PURPOSE)}"


def is_login_account_key(username: str | None) -> bool:
    """Whether ``username`` is already the sealed form ``login_account`` makes."""
    return bool(username and _ACCOUNT_KEY_RE.search(username))


def login_account_label(username: str | None) -> str:
    """The masked phone of a django-axes row, whichever form its ``username`` has."""
    if is_login_account_key(username):
        return (username or "").split("#", 1)[0]
    return mask_phone(username)


# django-axes keeps the password-login attempts; these proxies give its tables Chinese names in
# the accounts section of the admin (accounts/admin_logins.py).
class _LoginRow:
    username: str | None
    attempt_time: object

    def __str__(self) -> str:
        at = timezone.localtime(self.attempt_time)
        return f"{login_account_label(self.username)} @ {at:%Y-%m-%d %H:%M:%S}"


class LoginAttempt(_LoginRow, AccessAttempt):
    class Meta:
        proxy = True
        verbose_name = _("登录失败与锁定")
        verbose_name_plural = _("登录失败与锁定")


class LoginRecord(_LoginRow, AccessLog):
    class Meta:
        proxy = True
        verbose_name = _("登录记录")
        verbose_name_plural = _("登录记录")


class LoginFailureRecord(_LoginRow, AccessFailureLog):
    class Meta:
        proxy = True
        verbose_name = _("登录失败日志")
        verbose_name_plural = _("登录失败日志")


class LocationConsent(models.Model):
    """A worker's consent to the pages asking the phone for its position (PIPL art. 14): when
    it was given, when withdrawn, and the notice shown when it was given. One row per user,
    written by ``location_consent_give`` / ``location_consent_withdraw``; each change is also
    in the audit log, so earlier gives and withdrawals stay on record."""

    user = models.OneToOneField(
        User, verbose_name=_("用户"), on_delete=models.CASCADE, related_name="location_consent"
    )
    given_at = models.DateTimeField(_("同意时间"))
    withdrawn_at = models.DateTimeField(_("撤回时间"), null=True, blank=True)
    notice_version = models.CharField(_("说明版本"), max_length=16)
    notice_text = models.TextField(_("说明内容"))

    class Meta:
        verbose_name = _("位置信息使用同意")
        verbose_name_plural = _("位置信息使用同意")

    def __str__(self) -> str:
        return f"{self.user_id} @ {self.given_at:%Y-%m-%d %H:%M}"

    @property
    def is_given(self) -> bool:
        return self.withdrawn_at is None
