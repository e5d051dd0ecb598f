"""Two copies of one request arriving together (a client retrying on a timeout) file one report."""

import threading

import pytest
from django.db import connection
from django.test import Client

from nuanxin.open311.models import RequestToken
from nuanxin.reports.models import Report
from tests.open311 import factories as f
from tests.reports import factories as rf

pytestmark = pytest.mark.django_db(transaction=True)


def test_simultaneous_retries_from_one_device_file_one_request(tree):
    rf.category(code="pothole", name="道路坑洼")
    _, key = f.client_app()
    body = {
        "api_key": key,
        "service_code": "pothole",
        "lat": "21.05",
        "long": "110.05",
        "description": "坑",
        "device_id": "phone-1",
    }
    barrier = threading.Barrier(4)
    answers: list[tuple[int, bytes]] = []

    def send() -> None:
        try:
            barrier.wait()
            response = Client().post("/open311/v2/requests.json", body)
            answers.append((response.status_code, response.content))
        finally:
            connection.close()

    threads = [threading.Thread(target=send) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert [status for status, _ in answers] == [201] * 4
    assert len({content for _, content in answers}) == 1
    assert Report.objects.count() == 1 and RequestToken.objects.count() == 1
