import pytest
from django.db import transaction

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
