"""The inbox and Web Push subscriptions over the API (the installed app and other clients)."""

import datetime as dt

from django.http import HttpRequest
from ninja import Field, Router, Schema, Status

from nuanxin.core.delivery.webpush import (
    push_subscription_remove,
    push_subscription_save,
    vapid_public_key,
)
from nuanxin.core.notifications import notifications_mark_read, notifications_of, unread_count
from nuanxin.core.schema import Ids

router = Router(tags=["消息通知"])


class NotificationItemOut(Schema):
    id: int
    kind: str
    title: str
    body: str
    url: str
    created_at: dt.datetime
    read: bool


class InboxOut(Schema):
    unread: int = Field(description="未读条数（角标）")
    items: list[NotificationItemOut]


class MarkReadIn(Schema):
    ids: Ids | None = Field(None, description="要标为已读的消息 id；省略则全部")


class MarkReadOut(Schema):
    marked: int


class PushKeyOut(Schema):
    enabled: bool
    public_key: str = Field(description="VAPID 公钥（base64url），供 pushManager.subscribe 使用")


class PushKeysIn(Schema):
    p256dh: str = Field(max_length=200)
    auth: str = Field(max_length=100)


class PushSubscriptionIn(Schema):
    endpoint: str = Field(max_length=1000)
    keys: PushKeysIn


class PushSubscriptionOut(Schema):
    id: int


class PushEndpointIn(Schema):
    endpoint: str = Field(max_length=1000)


class PushRemovedOut(Schema):
    removed: int


@router.get("/notifications", response=InboxOut, summary="我的消息（最近 50 条）与未读数")
def inbox(request: HttpRequest, unread: bool = False) -> dict:
    qs = notifications_of(request.auth)
    if unread:
        qs = qs.filter(read_at__isnull=True)
    items = [
        {
            "id": note.pk,
            "kind": note.kind,
            "title": note.shown_title,
            "body": note.shown_body,
            "url": note.url,
            "created_at": note.created_at,
            "read": note.read_at is not None,
        }
        for note in qs[:50]
    ]
    return {"unread": unread_count(request.auth), "items": items}


@router.post("/notifications/read", response=MarkReadOut, summary="标为已读")
def mark_read(request: HttpRequest, payload: MarkReadIn) -> dict:
    return {"marked": notifications_mark_read(user=request.auth, ids=payload.ids)}


@router.get("/push/key", response=PushKeyOut, auth=None, summary="Web Push 的 VAPID 公钥")
def push_key(request: HttpRequest) -> dict:
    key = vapid_public_key()
    return {"enabled": bool(key), "public_key": key}


@router.post(
    "/push/subscriptions",
    response={201: PushSubscriptionOut},
    summary="保存本浏览器的推送订阅（当前登录用户）",
)
def push_subscribe(request: HttpRequest, payload: PushSubscriptionIn) -> Status:
    subscription = push_subscription_save(
        user=request.auth,
        endpoint=payload.endpoint,
        p256dh=payload.keys.p256dh,
        auth=payload.keys.auth,
    )
    return Status(201, {"id": subscription.pk})


@router.post("/push/subscriptions/remove", response=PushRemovedOut, summary="取消本浏览器的推送")
def push_unsubscribe(request: HttpRequest, payload: PushEndpointIn) -> dict:
    return {"removed": push_subscription_remove(user=request.auth, endpoint=payload.endpoint)}
