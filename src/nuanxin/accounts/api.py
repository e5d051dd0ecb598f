from django.http import HttpRequest, HttpResponse
from django.utils.cache import patch_cache_control
from ninja import Router

from nuanxin.accounts.schemas import (
    LogoutOut,
    MeOut,
    PasswordLoginIn,
    SmsLoginIn,
    SmsSendIn,
    SmsSendOut,
    TokenOut,
)
from nuanxin.accounts.second_factor import login_second_factor
from nuanxin.accounts.services import (
    password_login,
    sms_code_login,
    sms_code_send,
    token_issue,
    token_of_request,
    token_revoke,
)
from nuanxin.core.net import client_ip

router = Router(tags=["账号"])


def _token_for(
    request: HttpRequest, response: HttpResponse, user, otp: str | None, created: bool = False
) -> TokenOut:
    """A fresh bearer token, once the second factor (``otp``) passed where the user's role needs
    one. The answer is marked ``no-store``: no cache keeps it, and the Idempotency-Key store
    does not either (a retry logs in again)."""
    patch_cache_control(response, no_store=True)
    passed = login_second_factor(request=request, user=user, code=otp)
    secret, token = token_issue(user=user, name="api-login", second_factor=passed)
    return TokenOut(
        token=secret, expires_at=token.expires_at, user=MeOut.from_user(user), created=created
    )


@router.post("/login", auth=None, response=TokenOut, summary="手机号 + 密码登录，签发令牌")
def login(request: HttpRequest, response: HttpResponse, payload: PasswordLoginIn) -> TokenOut:
    user = password_login(request=request, phone=payload.phone, password=payload.password)
    return _token_for(request, response, user, payload.otp)


@router.post("/sms/send", auth=None, response=SmsSendOut, summary="发送短信验证码")
def sms_send(request: HttpRequest, payload: SmsSendIn) -> SmsSendOut:
    return SmsSendOut(expires_at=sms_code_send(phone=payload.phone, client_ip=client_ip(request)))


@router.post(
    "/sms/login", auth=None, response=TokenOut, summary="短信验证码登录（新号码自动注册为劳动者）"
)
def sms_login(request: HttpRequest, response: HttpResponse, payload: SmsLoginIn) -> TokenOut:
    user, created = sms_code_login(
        phone=payload.phone, code=payload.code, client_ip=client_ip(request), request=request
    )
    return _token_for(request, response, user, payload.otp, created)


@router.post("/logout", response=LogoutOut, summary="退出登录：吊销本次请求所用的令牌")
def logout(request: HttpRequest) -> LogoutOut:
    token = token_of_request(request)
    revoked = token is not None and token_revoke(token=token, actor=request.auth)
    return LogoutOut(revoked=revoked)


@router.get("/me", response=MeOut, summary="当前用户")
def me(request: HttpRequest) -> MeOut:
    return MeOut.from_user(request.auth)
