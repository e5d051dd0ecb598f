"""Outside channels that need nothing but a request: the console (development), SMS through
the carrier gateway's HTTP interface and WeChat template messages through the official
account's interface (or a relay in front of it). Both HTTP channels post JSON to the URL
their settings name; an answer other than 2xx, or WeChat's ``errcode`` other than 0, is a
failure the sender records and retries."""

import json
import logging
import sys
import urllib.error
import urllib.request
from typing import Any

from django.conf import settings

from nuanxin.core.delivery import Backend, DeliveryFailed, Message
from nuanxin.core.models import ChannelAddress

logger = logging.getLogger("nuanxin.notifications")


class ConsoleBackend(Backend):
    """Writes each message to standard output, for development and the demo."""

    name = "console"

    def send(self, *, message: Message, target: str) -> None:
        sys.stdout.write(
            f"[通知] 发给用户 {message.user.pk}：{message.title}｜{message.body}｜{message.url}\n"
        )
        sys.stdout.flush()


def post_json(url: str, payload: dict, *, token: str = "") -> Any:
    """POST ``payload`` as JSON and answer the decoded JSON answer (None when it is empty)."""
    if not url:
        raise DeliveryFailed("no URL configured", permanent=True)
    headers = {"Content-Type": "application/json; charset=utf-8"}
    if token:
        headers["Authorization"] = f"Bearer {token}"
    data = json.dumps(payload, ensure_ascii=False).encode()
    request = urllib.request.Request(url, data=data, headers=headers, method="POST")  # noqa: S310
    timeout = float(getattr(settings, "NOTIFICATION_HTTP_TIMEOUT_SECONDS", 5))
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:  # noqa: S310
            body = response.read()
    except urllib.error.HTTPError as exc:
        raise DeliveryFailed(f"HTTP {exc.code}", permanent=400 <= exc.code < 500) from exc
    if not body.strip():
        return None
    try:
        return json.loads(body)
    except ValueError:
        return None


class SmsBackend(Backend):
    """A text message to the account's own phone through ``NOTIFICATION_SMS_URL`` (with
    ``NOTIFICATION_SMS_TOKEN`` as a bearer token); ``NOTIFICATION_SMS_KINDS`` chooses which
    kinds of message are worth a text."""

    name = "sms"

    def targets(self, user: Any) -> list[str]:
        return [""] if getattr(user, "phone", "") else []

    def send(self, *, message: Message, target: str) -> None:
        phone = getattr(message.user, "phone", "")
        if not phone:
            raise DeliveryFailed("the account has no phone", permanent=True)
        text = f"【暖新】{message.title}" + (f"：{message.body}" if message.body else "")
        post_json(
            settings.NOTIFICATION_SMS_URL,
            {"phone": phone, "text": text[:300], "kind": message.kind},
            token=getattr(settings, "NOTIFICATION_SMS_TOKEN", ""),
        )


class WechatTemplateBackend(Backend):
    """A WeChat template message to the openid bound to the account (``ChannelAddress`` with
    channel ``wechat``), posted to ``NOTIFICATION_WECHAT_URL`` in the official account's
    shape (``touser``, ``template_id``, ``url``, ``data``)."""

    name = "wechat"

    def targets(self, user: Any) -> list[str]:
        bound = ChannelAddress.objects.filter(user=user, channel=self.name).exists()
        return [""] if bound else []

    def send(self, *, message: Message, target: str) -> None:
        address = ChannelAddress.objects.filter(user=message.user, channel=self.name).first()
        if address is None:
            raise DeliveryFailed("no WeChat openid bound", permanent=True)
        answer = post_json(
            settings.NOTIFICATION_WECHAT_URL,
            {
                "touser": address.address,
                "template_id": settings.NOTIFICATION_WECHAT_TEMPLATE_ID,
                "url": message.absolute_url(),
                "data": {
                    "first": {"value": message.title[:60]},
                    "keyword1": {"value": message.body[:200]},
                },
            },
            token=getattr(settings, "NOTIFICATION_WECHAT_TOKEN", ""),
        )
        code = answer.get("errcode", 0) if isinstance(answer, dict) else 0
        if code:
            # 43004: the user no longer follows the account; no retry will reach them.
            raise DeliveryFailed(f"WeChat errcode {code}", permanent=code == 43004)
