import datetime as dt

import pytest
from django.db import transaction
from django.utils import timezone

from nuanxin.core.models import Notification
from nuanxin.core.notifications import notification_send, notifications_mark_read, unread_count
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def test_notification_is_written_when_the_change_commits(django_capture_on_commit_callbacks):
    user = UserFactory()

    with django_capture_on_commit_callbacks(execute=True):
        notification_send(user=user, kind="test", title="审核通过", url="/x/")

    assert Notification.objects.get(user=user).title == "审核通过"
    assert unread_count(user) == 1


def test_a_notification_is_dated_when_its_event_was_not_when_it_was_written(
    django_capture_on_commit_callbacks, monkeypatch
):
    """A check-in at 08:00 whose transaction commits at 08:05 (or a history replayed on a
    clock of its own, as the demo's is) is notified at 08:00."""
    user = UserFactory()
    event = dt.datetime(2026, 3, 2, 0, 0, tzinfo=dt.UTC)
    monkeypatch.setattr(timezone, "now", lambda: event)

    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        notification_send(user=user, kind="test", title="驿站签到 +2 积分")
    monkeypatch.setattr(timezone, "now", lambda: event + dt.timedelta(minutes=5))
    for callback in callbacks:
        callback()

    assert Notification.objects.get(user=user).created_at == event


@pytest.mark.django_db(transaction=True)
def test_a_rolled_back_change_notifies_no_one():
    user = UserFactory()

    with pytest.raises(RuntimeError), transaction.atomic():
        notification_send(user=user, kind="test", title="不应出现")
        raise RuntimeError

    assert not Notification.objects.exists()


def test_notifications_page_lists_and_marks_read(client):
    user = UserFactory()
    Notification.objects.create(user=user, kind="k", title="您的随手拍已受理")
    other = Notification.objects.create(user=UserFactory(), kind="k", title="别人的消息")
    client.force_login(user)

    html = client.get("/me/notifications/").content.decode()
    client.post("/me/notifications/")

    assert "您的随手拍已受理" in html and "别人的消息" not in html
    assert unread_count(user) == 0
    assert Notification.objects.get(pk=other.pk).read_at is None
    assert notifications_mark_read(user=user) == 0


def test_opening_a_notification_marks_it_read_and_opens_its_page(client):
    user = UserFactory()
    note = Notification.objects.create(
        user=user, kind="k", title="兑换已过期", url="/store/orders/"
    )
    bare = Notification.objects.create(user=user, kind="k", title="无链接")
    outside = Notification.objects.create(
        user=user, kind="k", title="外链", url="https://x.example/"
    )
    client.force_login(user)

    page = client.get("/me/notifications/").content.decode()
    assert page.count("未读") >= 3 and "3 条未读" in page
    assert client.get(f"/me/notifications/{note.pk}/")["Location"] == "/store/orders/"
    assert client.get(f"/me/notifications/{bare.pk}/")["Location"] == "/me/notifications/"
    assert client.post(f"/me/notifications/{outside.pk}/")["Location"] == "/me/notifications/"

    assert unread_count(user) == 0
    assert "已读" in client.get("/me/notifications/").content.decode()


def test_another_persons_notification_opens_like_a_missing_one(client):
    note = Notification.objects.create(user=UserFactory(), kind="k", title="别人的")
    client.force_login(UserFactory())

    assert client.get(f"/me/notifications/{note.pk}/").status_code == 404
    assert client.get("/me/notifications/999999/").status_code == 404
    assert Notification.objects.get(pk=note.pk).read_at is None


def test_the_inbox_api_answers_the_unread_count_and_marks_read(client):
    user = UserFactory()
    first = Notification.objects.create(user=user, kind="k", title="一")
    Notification.objects.create(user=user, kind="k", title="二")
    Notification.objects.create(user=UserFactory(), kind="k", title="别人的")
    client.force_login(user)

    inbox = client.get("/api/v1/core/notifications").json()
    assert inbox["unread"] == 2 and [i["title"] for i in inbox["items"]] == ["二", "一"]
    marked = client.post(
        "/api/v1/core/notifications/read", {"ids": [first.pk]}, content_type="application/json"
    )
    assert marked.json() == {"marked": 1}
    assert client.get("/api/v1/core/notifications?unread=true").json()["unread"] == 1
