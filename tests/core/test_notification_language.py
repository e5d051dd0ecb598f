"""A notification is shown in the reader's language when it is read, whatever language the
change that sent it ran in: title and body are kept as catalogue keys with parameters."""

from decimal import Decimal

import pytest
from django.utils import translation
from django.utils.translation import gettext_noop

from nuanxin.core.models import Notification
from nuanxin.core.notifications import notification_send
from nuanxin.core.texts import text
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def _send(user, **content):
    notification_send(user=user, kind="test", url="/store/orders/", **content)


def test_a_notification_sent_in_english_is_stored_in_chinese_and_read_in_either(
    client, django_capture_on_commit_callbacks
):
    user = UserFactory()
    with translation.override("en"), django_capture_on_commit_callbacks(execute=True):
        _send(
            user,
            title=text(gettext_noop("已领取：%(item)s"), item="反光背心"),
            body=[
                text(
                    gettext_noop("您在%(station)s兑换的商品已领取，扣除 %(points)d 积分。"),
                    station="南调街道暖新服务中心",
                    points=25,
                ),
                "工作人员的备注",
            ],
        )
    note = Notification.objects.get(user=user)
    assert note.title == "已领取：反光背心"  # the plain copy is in the site's language
    assert note.body.startswith("您在南调街道暖新服务中心兑换的商品已领取，扣除 25 积分。")

    client.force_login(user)
    chinese = client.get("/me/notifications/").content.decode()
    client.cookies["django_language"] = "en"
    english = client.get("/me/notifications/").content.decode()

    assert "已领取：反光背心" in chinese and "扣除 25 积分" in chinese
    assert "已领取" not in english and "扣除" not in english
    assert "反光背心" in english and "25" in english
    assert "工作人员的备注" in english  # what a person wrote is shown as written


def test_a_parameter_can_be_a_text_itself_and_decimals_keep_their_digits():
    user = UserFactory()
    note = Notification(
        user=user,
        kind="k",
        title="",
        texts={
            "title": text(gettext_noop("志愿服务已核验：%(title)s"), title="巡逻").as_data(),
            "body": text(gettext_noop("核定时长 %(h)s 小时。"), h=Decimal("1.50")).as_data(),
        },
    )
    with translation.override("zh-hans"):
        assert note.shown_title == "志愿服务已核验：巡逻"
        assert note.shown_body == "核定时长 1.50 小时。"
    with translation.override("en"):
        assert "巡逻" in note.shown_title and "志愿服务" not in note.shown_title
        assert "1.50" in note.shown_body


def test_rows_written_before_texts_were_kept_show_as_stored():
    note = Notification(user=UserFactory(), kind="k", title="旧消息", body="旧内容")
    with translation.override("en"):
        assert (note.shown_title, note.shown_body) == ("旧消息", "旧内容")
