import io
import re

import pytest

from nuanxin.demo import open311 as demo_open311
from nuanxin.demo.loader import DemoContext
from nuanxin.open311.models import ClientApplication
from nuanxin.open311.selectors import client_by_key
from nuanxin.reports.models import Channel, Report

pytestmark = pytest.mark.django_db


def test_demo_registers_the_hotline_once_and_prints_its_key_once(tree):
    first_out, second_out = io.StringIO(), io.StringIO()

    demo_open311.load(DemoContext(out=first_out))
    made = Report.objects.count()
    demo_open311.load(DemoContext(out=second_out))

    (key,) = re.findall(r"nx311_[A-Za-z0-9_-]+", first_out.getvalue())
    client = ClientApplication.objects.get()
    assert client.name == "湛江12345热线" and client_by_key(key) == client
    assert made == len(demo_open311.CALLS)
    assert set(Report.objects.values_list("channel", flat=True)) == {Channel.OPEN311}
    assert Report.objects.count() == made
    assert "nx311_" not in second_out.getvalue() and "已存在" in second_out.getvalue()
