"""The worker pages in English, as the demo rider reads them on a phone: no stored vocabulary
(amenities, report categories and their questions, item categories, departments) and no
notification is left in Chinese, and the header stays on one line."""

import re

import pytest
from django.utils import translation

from nuanxin.accounts.models import User
from nuanxin.core.models import Notification
from nuanxin.geo.models import Region
from nuanxin.reports.models import Category, Department
from nuanxin.stations.models import Amenity, Station
from nuanxin.store.models import Item, ItemCategory
from nuanxin.volunteering.models import Project
from tests.web.worker_pages import DEMO_WORKER, log_in, worker_paths

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

HAN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]+")


def _vocabulary() -> set[str]:
    """Every Chinese word of the stored vocabularies, as stored."""
    words = set(Amenity.objects.values_list("name", flat=True))
    words |= set(Department.objects.values_list("name", flat=True))
    for category in Category.objects.all():
        words |= {category.name, category.group, category.description}
        for question in category.questions or []:
            words.add(question.get("label", ""))
            words |= {option.get("name", "") for option in question.get("options", [])}
    with translation.override("zh-hans"):
        words |= {str(label) for label in ItemCategory.labels}
    return {word for word in words if word and HAN.search(word)}


def _names() -> set[str]:
    """Names of places, people, stations, projects and goods, and what people wrote: these stay
    as written in every language."""
    names = {"中文"}  # the language switch names the other language in that language
    names |= set(Region.objects.values_list("name", flat=True))
    names |= set(User.objects.values_list("name", flat=True))
    for station in Station.objects.all():
        names |= {station.name, station.address, station.host_name, station.description}
        names |= set(station.extra_services)  # what the station itself offers, as written
    for project in Project.objects.all():
        names |= {project.title, project.place_name, project.description}
    names |= set(Item.objects.values_list("name", flat=True))
    names |= set(Item.objects.values_list("description", flat=True))
    return {name for name in names if name}


def _notification_texts(user: User) -> set[str]:
    """The Chinese wording of the rider's notifications (their catalogue keys)."""
    keys = set()
    for note in Notification.objects.filter(user=user):
        for part in (note.texts.get("title"), note.texts.get("body")):
            for data in part if isinstance(part, list) else [part]:
                if isinstance(data, dict):
                    keys |= {run for run in HAN.findall(data["msgid"]) if len(run) > 1}
    return keys


def test_the_worker_pages_in_english_leave_no_vocabulary_or_notification_in_chinese(
    demo_city, live_server, page, screenshot_dir
):
    rider = User.objects.get(phone=DEMO_WORKER)
    assert Notification.objects.filter(user=rider).exclude(texts={}).exists()
    vocabulary, names = _vocabulary(), _names()
    notification_words = _notification_texts(rider)
    log_in(page, live_server, language="en")
    left: dict[str, set[str]] = {}
    for path in [*worker_paths(), "/store/orders/"]:
        page.goto(f"{live_server.url}{path}")
        page.wait_for_load_state("load")
        page.wait_for_timeout(300)
        shown = page.evaluate("() => document.body.innerText")
        # Inside option lists too (a closed select's options are not in innerText).
        shown += "\n" + "\n".join(page.locator("option").all_inner_texts())
        # Names stay as written; what is left after them must be in English.
        for name in sorted(names, key=len, reverse=True):
            shown = shown.replace(name, " ")
        found = {word for word in vocabulary | notification_words if word in shown}
        found |= set(HAN.findall(shown))
        if found:
            left[path] = found
        if path == "/me/notifications/":
            page.screenshot(path=str(screenshot_dir / "notifications-en.png"))
    assert not left, "Chinese left on English pages:\n" + "\n".join(
        f"{path}: {sorted(words)}" for path, words in left.items()
    )


def test_the_header_stays_on_one_line_in_english_on_a_phone(demo_city, live_server, page):
    log_in(page, live_server, language="en")
    page.goto(f"{live_server.url}/stations/")
    boxes = page.evaluate(
        "() => [...document.querySelectorAll('.topbar .brand, .topbar-actions > *')]"
        ".map(el => { const r = el.getBoundingClientRect();"
        " return [el.className || el.tagName, Math.round(r.top), Math.round(r.bottom), r.right]; })"
    )
    header = page.evaluate("() => document.querySelector('.topbar').getBoundingClientRect().height")
    assert header <= 56, (header, boxes)
    assert max(right for *_rest, right in boxes) <= 390, boxes
    assert page.evaluate("() => document.documentElement.scrollWidth") <= 390
