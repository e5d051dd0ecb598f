"""The demo city is shared by every test of the run; no test's changes reach another."""

import pytest

from nuanxin.accounts.models import User

PHONE = "13700000001"  # a demo staff account


@pytest.mark.django_db
def test_a_test_without_the_demo_in_a_demo_module_sees_an_empty_database():
    assert not User.objects.filter(phone=PHONE).exists()


@pytest.mark.django_db
def test_a_change_in_one_test_is_rolled_back(demo_city, settings):
    user = User.objects.get(phone=PHONE)
    assert user.name != "改过"
    User.objects.filter(phone=PHONE).update(name="改过")
    # The demo's photos are there for the test to use.
    assert any(settings.MEDIA_ROOT.rglob("*.jpg"))


@pytest.mark.django_db
def test_the_next_test_sees_the_demo_as_built(demo_city):
    assert User.objects.get(phone=PHONE).name != "改过"


# pytest-django runs transactional tests after the others, in file order.
@pytest.mark.django_db(transaction=True)
def test_a_transactional_test_commits_into_its_copy(demo_city):
    User.objects.filter(phone=PHONE).update(name="提交")

    assert User.objects.get(phone=PHONE).name == "提交"


@pytest.mark.django_db(transaction=True)
def test_after_a_transactional_test_the_copy_is_made_afresh(demo_city):
    assert User.objects.get(phone=PHONE).name != "提交"
