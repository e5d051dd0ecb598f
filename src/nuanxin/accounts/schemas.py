import datetime as dt

from ninja import Field, Schema

from nuanxin.accounts.models import Role, User


class RegionRefOut(Schema):
    code: str
    name: str
    level: str


class MeOut(Schema):
    id: int
    phone: str
    name: str
    role: str
    role_label: str
    region: RegionRefOut | None
    is_staff: bool

    @staticmethod
    def from_user(user: User) -> "MeOut":
        region = user.region
        return MeOut(
            id=user.pk,
            phone=user.masked_phone,
            name=user.name,
            role=user.role,
            role_label=str(Role(user.role).label),
            region=RegionRefOut(code=region.code, name=region.name, level=region.level)
            if region
            else None,
            is_staff=user.is_staff,
        )


SECOND_FACTOR_FIELD = Field(
    None,
    max_length=16,
    description="身份验证器的 6 位动态验证码或一个备用验证码；需要两步验证的工作人员角色必填",
)


class PasswordLoginIn(Schema):
    phone: str
    password: str
    otp: str | None = SECOND_FACTOR_FIELD


class SmsSendIn(Schema):
    phone: str


class SmsSendOut(Schema):
    expires_at: dt.datetime


class SmsLoginIn(Schema):
    phone: str
    code: str
    otp: str | None = SECOND_FACTOR_FIELD


class TokenOut(Schema):
    token: str
    token_type: str = "Bearer"
    expires_at: dt.datetime
    user: MeOut
    created: bool = False


class LogoutOut(Schema):
    revoked: bool = Field(description="本次请求所用的令牌是否已吊销（以会话登录时为 false）")
