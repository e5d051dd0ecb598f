"""Notifications delivered outside the app: Web Push to a push service, SMS and WeChat
template messages to their HTTP interfaces, all real HTTP to servers on the loopback
interface; each delivery recorded, retried after a failure and given up with its error."""

import base64
import io
import json
import os
import time

import http_ece
import pytest
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.utils import encode_dss_signature
from django.core.management import call_command
from django.db import transaction

from nuanxin.core import delivery
from nuanxin.core.delivery import Backend
from nuanxin.core.delivery.webpush import vapid_keys_generate, vapid_public_key
from nuanxin.core.models import (
    AuditLog,
    ChannelAddress,
    DeliveryStatus,
    Notification,
    NotificationDelivery,
    PushSubscription,
)
from nuanxin.core.notifications import notification_send
from tests.core.loopback import Answer, LoopbackServer
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


@pytest.fixture
def server():
    running = LoopbackServer().start()
    yield running
    running.stop()


@pytest.fixture
def vapid(settings):
    private, public = vapid_keys_generate()
    settings.VAPID_PRIVATE_KEY = private
    settings.VAPID_SUBJECT = "mailto:ops@example.org"
    settings.NOTIFICATION_DISPATCH = "jobs"
    return public


class Browser:
    """What a browser keeps when it subscribes: its own key pair and auth secret."""

    def __init__(self) -> None:
        self.key = ec.generate_private_key(ec.SECP256R1())
        self.auth = os.urandom(16)

    @property
    def p256dh(self) -> str:
        point = self.key.public_key().public_bytes(
            serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint
        )
        return b64(point)

    def decrypt(self, body: bytes) -> dict:
        plain = http_ece.decrypt(
            body, private_key=self.key, auth_secret=self.auth, version="aes128gcm"
        )
        return json.loads(plain)


def subscribe(client, user, endpoint: str, browser: Browser):
    client.force_login(user)
    return client.post(
        "/api/v1/core/push/subscriptions",
        {"endpoint": endpoint, "keys": {"p256dh": browser.p256dh, "auth": b64(browser.auth)}},
        content_type="application/json",
    )


def send(capture, user, **kwargs):
    with capture(execute=True):
        notification_send(user=user, kind=kwargs.pop("kind", "reports.accepted"), **kwargs)
    return Notification.objects.filter(user=user).latest("pk")


def verify_vapid(header: str, public_key: str, audience: str) -> dict:
    parts = dict(part.strip().split("=", 1) for part in header.removeprefix("vapid ").split(","))
    assert parts["k"] == public_key
    head, claims, signature = parts["t"].split(".")
    raw = unb64(signature)
    key = ec.EllipticCurvePublicKey.from_encoded_point(ec.SECP256R1(), unb64(public_key))
    key.verify(
        encode_dss_signature(int.from_bytes(raw[:32], "big"), int.from_bytes(raw[32:], "big")),
        f"{head}.{claims}".encode(),
        ec.ECDSA(hashes.SHA256()),
    )
    decoded = json.loads(unb64(claims))
    assert decoded["aud"] == audience and decoded["exp"] > time.time()
    return decoded


def test_web_push_arrives_encrypted_for_the_browser_with_a_signed_vapid_token(
    client, settings, server, vapid, django_capture_on_commit_callbacks
):
    settings.NOTIFICATION_DELIVERY = "inbox,webpush"
    settings.NOTIFICATION_PUSH_HOSTS = [server.origin]
    user, browser = UserFactory(), Browser()
    answer = subscribe(client, user, f"{server.origin}/push/abc123", browser)
    assert answer.status_code == 201, answer.content

    note = send(
        django_capture_on_commit_callbacks, user, title="随手拍 #7 已受理", body="获得 5 积分",
        url="/reports/mine/7/",
    )  # fmt: skip
    assert server.received == []  # nothing leaves before a sender runs
    assert delivery.deliveries_send_due() == {"sent": 1}

    (request,) = server.received
    assert request.path == "/push/abc123"
    assert request.headers["content-encoding"] == "aes128gcm"
    assert int(request.headers["ttl"]) == settings.NOTIFICATION_PUSH_TTL_SECONDS
    claims = verify_vapid(request.headers["authorization"], vapid, server.origin)
    assert claims["sub"] == "mailto:ops@example.org"
    assert b"5 \xe7\xa7\xaf\xe5\x88\x86" not in request.body  # the text travels encrypted
    payload = browser.decrypt(request.body)
    assert payload["title"] == "随手拍 #7 已受理" and payload["body"] == "获得 5 积分"
    assert payload["url"] == f"/me/notifications/{note.pk}/"
    row = NotificationDelivery.objects.get(notification=note)
    assert (row.channel, row.status, row.attempts) == ("webpush", DeliveryStatus.SENT, 1)
    assert vapid_public_key() == vapid


def test_a_push_to_a_subscription_the_service_says_is_gone_removes_it(
    client, settings, server, vapid, django_capture_on_commit_callbacks
):
    settings.NOTIFICATION_DELIVERY = "inbox,webpush"
    settings.NOTIFICATION_PUSH_HOSTS = [server.origin]
    server.default = Answer(410)
    user = UserFactory()
    subscribe(client, user, f"{server.origin}/push/old", Browser())

    note = send(django_capture_on_commit_callbacks, user, title="消息")
    delivery.deliveries_send_due()

    row = NotificationDelivery.objects.get(notification=note)
    assert row.status == DeliveryStatus.DROPPED and "410" in row.last_error
    assert not PushSubscription.objects.exists()


def test_a_failed_delivery_is_retried_later_and_given_up_with_its_error(
    client, settings, server, vapid, django_capture_on_commit_callbacks
):
    settings.NOTIFICATION_DELIVERY = "inbox,webpush"
    settings.NOTIFICATION_PUSH_HOSTS = [server.origin]
    settings.NOTIFICATION_DELIVERY_ATTEMPTS = 2
    server.answers = [Answer(503), Answer(503)]
    user = UserFactory()
    subscribe(client, user, f"{server.origin}/push/x", Browser())
    note = send(django_capture_on_commit_callbacks, user, title="消息")

    assert delivery.deliveries_send_due() == {"pending": 1}
    row = NotificationDelivery.objects.get(notification=note)
    assert row.status == DeliveryStatus.PENDING and "503" in row.last_error
    assert delivery.deliveries_send_due() == {}  # not before its pause has passed
    assert delivery.deliveries_send_due(now=row.next_try_at) == {"dropped": 1}
    row.refresh_from_db()
    assert (row.status, row.attempts, row.next_try_at) == (DeliveryStatus.DROPPED, 2, None)
    assert len(server.received) == 2


def test_sms_goes_to_the_gateway_for_the_kinds_chosen(
    settings, server, django_capture_on_commit_callbacks
):
    settings.NOTIFICATION_DELIVERY = "inbox,sms"
    settings.NOTIFICATION_DISPATCH = "jobs"
    settings.NOTIFICATION_SMS_URL = f"{server.origin}/sms/send"
    settings.NOTIFICATION_SMS_TOKEN = "gateway-token"
    settings.NOTIFICATION_SMS_KINDS = ["store.ready", "volunteer."]
    server.default = Answer(200, b'{"ok": true}')
    user = UserFactory()

    send(django_capture_on_commit_callbacks, user, kind="reports.accepted", title="不发短信")
    send(
        django_capture_on_commit_callbacks,
        user,
        kind="store.ready",
        title="可以取货了",
        body="码 123456",
    )
    send(django_capture_on_commit_callbacks, user, kind="volunteer.reminder", title="即将开始")
    assert delivery.deliveries_send_due() == {"sent": 2}

    first, second = server.received
    assert first.path == "/sms/send"
    assert first.headers["authorization"] == "Bearer gateway-token"
    assert first.json() == {
        "phone": user.phone,
        "text": "【暖新】可以取货了：码 123456",
        "kind": "store.ready",
    }
    assert second.json()["kind"] == "volunteer.reminder"
    assert NotificationDelivery.objects.count() == 2


def test_wechat_template_message_reaches_the_bound_openid_and_a_refusal_is_recorded(
    settings, server, django_capture_on_commit_callbacks
):
    settings.NOTIFICATION_DELIVERY = "inbox,wechat"
    settings.NOTIFICATION_DISPATCH = "jobs"
    settings.NOTIFICATION_WECHAT_URL = f"{server.origin}/cgi-bin/message/template/send"
    settings.NOTIFICATION_WECHAT_TEMPLATE_ID = "tmpl-1"
    settings.NUANXIN_PUBLIC_URL = "https://nx.example.cn"
    server.answers = [Answer(200, b'{"errcode": 0}'), Answer(200, b'{"errcode": 43004}')]
    bound, unbound = UserFactory(), UserFactory()
    ChannelAddress.objects.create(user=bound, channel="wechat", address="oABC123")

    send(django_capture_on_commit_callbacks, unbound, title="无人可送")
    send(
        django_capture_on_commit_callbacks,
        bound,
        title="审核通过",
        body="谢谢",
        url="/reports/mine/1/",
    )
    send(django_capture_on_commit_callbacks, bound, title="第二条")
    assert delivery.deliveries_send_due() == {"sent": 1, "dropped": 1}

    posted = server.received[0].json()
    assert posted == {
        "touser": "oABC123",
        "template_id": "tmpl-1",
        "url": "https://nx.example.cn/reports/mine/1/",
        "data": {"first": {"value": "审核通过"}, "keyword1": {"value": "谢谢"}},
    }
    dropped = NotificationDelivery.objects.get(status=DeliveryStatus.DROPPED)
    assert "43004" in dropped.last_error
    assert not NotificationDelivery.objects.filter(notification__user=unbound).exists()


def test_console_delivery_prints_in_development(
    settings, capsys, django_capture_on_commit_callbacks
):
    settings.NOTIFICATION_DELIVERY = "inbox,console"
    settings.NOTIFICATION_DISPATCH = "jobs"
    user = UserFactory()

    send(django_capture_on_commit_callbacks, user, title="兑换已过期", body="积分已退回")
    delivery.deliveries_send_due()

    assert "兑换已过期｜积分已退回" in capsys.readouterr().out


class Exploding(Backend):
    name = "exploding"

    def targets(self, user):
        raise RuntimeError("the channel's directory is down")


class Failing(Backend):
    name = "failing"

    def send(self, *, message, target):
        raise ConnectionError("gateway unreachable")


@pytest.mark.django_db(transaction=True)
def test_a_channel_that_fails_never_undoes_the_write_that_notified(settings):
    settings.NOTIFICATION_DELIVERY = (
        "inbox,tests.core.test_delivery.Failing,tests.core.test_delivery.Exploding"
    )
    settings.NOTIFICATION_DISPATCH = "jobs"
    user = UserFactory()

    with transaction.atomic():
        AuditLog.objects.create(action="test.write", object_type="x", object_id="1")
        notification_send(user=user, kind="k", title="仍然送达收件箱")

    assert AuditLog.objects.filter(action="test.write").exists()
    assert Notification.objects.get(user=user).title == "仍然送达收件箱"


@pytest.mark.django_db(transaction=True)
def test_a_sending_failure_is_recorded_for_a_retry(settings):
    settings.NOTIFICATION_DELIVERY = "inbox,tests.core.test_delivery.Failing"
    settings.NOTIFICATION_DISPATCH = "jobs"
    user = UserFactory()

    with transaction.atomic():
        notification_send(user=user, kind="k", title="消息")
    delivery.deliveries_send_due()

    row = NotificationDelivery.objects.get()
    assert row.status == DeliveryStatus.PENDING and "gateway unreachable" in row.last_error


@pytest.mark.django_db(transaction=True)
def test_the_background_sender_pushes_right_after_the_commit(settings, server, client):
    private, public = vapid_keys_generate()
    settings.VAPID_PRIVATE_KEY = private
    settings.NOTIFICATION_DELIVERY = "inbox,webpush"
    settings.NOTIFICATION_DISPATCH = "thread"
    settings.NOTIFICATION_PUSH_HOSTS = [server.origin]
    user, browser = UserFactory(), Browser()
    subscribe(client, user, f"{server.origin}/push/now", browser)

    with transaction.atomic():
        notification_send(user=user, kind="k", title="立即推送")
        assert server.received == []  # nothing while the transaction is open

    deadline = time.monotonic() + 10
    while not server.received and time.monotonic() < deadline:
        time.sleep(0.05)
    assert browser.decrypt(server.received[0].body)["title"] == "立即推送"
    verify_vapid(server.received[0].headers["authorization"], public, server.origin)
    while time.monotonic() < deadline:
        if NotificationDelivery.objects.filter(status=DeliveryStatus.SENT).exists():
            break
        time.sleep(0.05)
    assert NotificationDelivery.objects.get().status == DeliveryStatus.SENT


def test_subscriptions_need_a_login_a_known_push_service_and_real_keys(client, settings):
    settings.NOTIFICATION_PUSH_HOSTS = [".push.services.mozilla.com"]
    browser = Browser()
    body = {
        "endpoint": "https://updates.push.services.mozilla.com/wpush/v2/a",
        "keys": {"p256dh": browser.p256dh, "auth": b64(browser.auth)},
    }
    url = "/api/v1/core/push/subscriptions"

    assert client.post(url, body, content_type="application/json").status_code == 401
    user = UserFactory()
    client.force_login(user)
    elsewhere = {**body, "endpoint": "https://10.0.0.5/internal"}
    plain_http = {**body, "endpoint": "http://updates.push.services.mozilla.com/wpush/v2/a"}
    short_key = {**body, "keys": {"p256dh": b64(b"x" * 10), "auth": b64(browser.auth)}}
    for bad, code in [(elsewhere, "notifications.push_service_unknown"),
                      (plain_http, "notifications.push_service_unknown"),
                      (short_key, "notifications.bad_subscription")]:  # fmt: skip
        answer = client.post(url, bad, content_type="application/json")
        assert (answer.status_code, answer.json()["code"]) == (400, code)
    assert not PushSubscription.objects.exists()

    assert client.post(url, body, content_type="application/json").status_code == 201
    other = UserFactory()
    client.force_login(other)
    assert client.post(url, body, content_type="application/json").status_code == 201
    assert PushSubscription.objects.get().user == other  # a shared phone follows its account
    assert AuditLog.objects.filter(action="notifications.push_subscribe").count() == 2
    removed = client.post(
        url + "/remove", {"endpoint": body["endpoint"]}, content_type="application/json"
    )
    assert removed.json() == {"removed": 1} and not PushSubscription.objects.exists()


def test_the_public_key_is_offered_only_when_push_is_set_up(client, settings):
    settings.VAPID_PRIVATE_KEY = ""
    assert client.get("/api/v1/core/push/key").json() == {"enabled": False, "public_key": ""}
    private, public = vapid_keys_generate()
    settings.VAPID_PRIVATE_KEY = private
    assert client.get("/api/v1/core/push/key").json() == {"enabled": True, "public_key": public}


def test_the_key_command_prints_a_pair_that_belongs_together(settings):
    out = io.StringIO()
    call_command("vapid_keys", stdout=out)
    lines = out.getvalue().splitlines()
    private = lines[0].removeprefix("VAPID_PRIVATE_KEY=")
    settings.VAPID_PRIVATE_KEY = private
    assert len(unb64(private)) == 32
    assert vapid_public_key() in lines[1]
