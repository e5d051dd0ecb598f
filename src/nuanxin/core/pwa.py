"""The installable app: the web app manifest, its icons, the service worker and the offline page.

The icons are drawn with Pillow on first request and kept in memory, so no image is stored in
the repository. The service worker is served from the site root (``/sw.js``) so that its scope
covers every page; its precache list and version are built from the app shell's files, so a
change to any of them installs a new worker that drops the old caches.
"""

import hashlib
import io
import json
from functools import cache

from django.conf import settings
from django.contrib.staticfiles import finders
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.template.loader import render_to_string
from django.templatetags.static import static
from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import cache_control
from django.views.decorators.http import require_safe
from PIL import Image, ImageDraw

from nuanxin.core.access import may_open

THEME_COLOUR = "#c2410c"
BACKGROUND_COLOUR = "#fff8f3"
ICON_SIZES = (192, 512)
MASKABLE_SIZE = 512
# Static files every page needs; the worker stores them at install so the app opens offline.
SHELL_STATIC = (
    "nuanxin/app.css",
    "nuanxin/tap.css",
    "nuanxin/page.js",
    "nuanxin/favicon.svg",
    "django_htmx/htmx-2.min.js",
)
# A page that answers with this header is kept on the phone by the worker (the report form,
# so that a report can be written with no signal); any other page is only ever fetched.
OFFLINE_HEADER = "Nuanxin-Offline"
# The pages a logged-in worker's phone keeps before they are ever opened (URL names, left out
# when not installed): any page of the app asks the service worker to fetch them, so the report
# form opens with no signal even on the first day. The page itself must answer OFFLINE_HEADER.
OFFLINE_PAGES = ("reports:new",)
# How long a page kept that way stays without being fetched again for the same account.
OFFLINE_PAGES_REFRESH_SECONDS = 3600


def _draw_icon(size: int, *, maskable: bool) -> bytes:
    """A warm sun over a roof line on the theme colour.

    A maskable icon fills its whole square (the launcher cuts its own shape) and keeps the
    drawing inside the central circle of 80 % that every mask leaves visible; the plain icon is
    a rounded square with a transparent corner.
    """
    scale = 4  # drawn large and shrunk, for smooth edges
    side = size * scale
    image = Image.new("RGBA", (side, side), (0, 0, 0, 0))
    draw = ImageDraw.Draw(image)
    if maskable:
        draw.rectangle((0, 0, side, side), fill=THEME_COLOUR)
        inner = side * 0.56  # well inside the safe circle
    else:
        draw.rounded_rectangle((0, 0, side - 1, side - 1), radius=side // 5, fill=THEME_COLOUR)
        inner = side * 0.74
    centre = side / 2
    left = centre - inner / 2
    # The sun: a disc with short rays above the roof.
    sun_r = inner * 0.2
    sun_y = left + inner * 0.36
    draw.ellipse((centre - sun_r, sun_y - sun_r, centre + sun_r, sun_y + sun_r), fill="white")
    ray_in, ray_out = sun_r * 1.35, sun_r * 1.85
    width = max(2, int(inner * 0.05))
    for dx, dy in ((0, -1), (-0.71, -0.71), (0.71, -0.71), (-1, 0), (1, 0)):
        draw.line(
            (
                centre + dx * ray_in,
                sun_y + dy * ray_in,
                centre + dx * ray_out,
                sun_y + dy * ray_out,
            ),
            fill="white",
            width=width,
        )
    # The roof and the house below it.
    roof_top = left + inner * 0.52
    eaves = roof_top + inner * 0.22
    draw.polygon([(left, eaves), (centre, roof_top), (left + inner, eaves)], fill="white")
    house = (left + inner * 0.16, roof_top + inner * 0.2, left + inner * 0.84, left + inner)
    draw.rectangle(house, fill="white")
    door_w = inner * 0.16
    draw.rectangle(
        (centre - door_w / 2, left + inner * 0.72, centre + door_w / 2, left + inner),
        fill=THEME_COLOUR,
    )
    image = image.resize((size, size), Image.Resampling.LANCZOS)
    out = io.BytesIO()
    image.save(out, format="PNG", optimize=True)
    return out.getvalue()


@cache
def icon_png(size: int, maskable: bool = False) -> bytes:
    return _draw_icon(size, maskable=maskable)


def icon_urls() -> list[str]:
    urls = [reverse("pwa_icon", args=[size]) for size in ICON_SIZES]
    return [*urls, reverse("pwa_icon_maskable", args=[MASKABLE_SIZE])]


def manifest_data() -> dict:
    icons = [
        {"src": reverse("pwa_icon", args=[s]), "sizes": f"{s}x{s}", "type": "image/png"}
        for s in ICON_SIZES
    ]
    icons.append(
        {
            "src": reverse("pwa_icon_maskable", args=[MASKABLE_SIZE]),
            "sizes": f"{MASKABLE_SIZE}x{MASKABLE_SIZE}",
            "type": "image/png",
            "purpose": "maskable",
        }
    )
    return {
        "id": "/",
        "name": str(settings.NUANXIN_SITE_NAME),
        "short_name": str(settings.NUANXIN_SITE_NAME),
        "description": _("新就业群体服务：找驿站、随手拍、积分兑换、志愿服务"),
        "lang": "zh-CN",
        "dir": "ltr",
        "start_url": reverse("home") + "?source=app",
        "scope": "/",
        "display": "standalone",
        "orientation": "portrait",
        "theme_color": THEME_COLOUR,
        "background_color": BACKGROUND_COLOUR,
        "icons": icons,
    }


def offline_pages(request: HttpRequest) -> list[str]:
    """The pages this request's user may open that their phone keeps for use with no signal:
    none for a visitor or staff (the app is the workers'), else those of OFFLINE_PAGES that are
    installed and open for them."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated or user.is_staff:
        return []
    urls = []
    for name in OFFLINE_PAGES:
        try:
            url = reverse(name)
        except NoReverseMatch:
            continue
        if may_open(request, url):
            urls.append(url)
    return urls


def shell_urls() -> list[str]:
    """What the worker stores at install: the offline page, the shell's static files, icons."""
    return [reverse("offline"), *(static(p) for p in SHELL_STATIC), *icon_urls()]


@cache
def _static_digest() -> str:
    digest = hashlib.sha256()
    for path in SHELL_STATIC:
        found = finders.find(path)
        if found:
            with open(found, "rb") as handle:
                digest.update(handle.read())
    return digest.hexdigest()


def worker_source() -> str:
    shell = shell_urls()
    config = {
        "shell": shell,
        "offline": reverse("offline"),
        "static": settings.STATIC_URL,
        "keepHeader": OFFLINE_HEADER,
        "keepRefreshMs": OFFLINE_PAGES_REFRESH_SECONDS * 1000,
        "inbox": reverse("core:notifications"),
        "pushTitle": "暖新",
        "pushIcon": icon_urls()[0],
    }
    body = render_to_string("core/sw.js", {"config": json.dumps(config, ensure_ascii=False)})
    version = hashlib.sha256((body + _static_digest()).encode()).hexdigest()[:12]
    return body.replace("__VERSION__", version)


@require_safe
@cache_control(max_age=3600)
def manifest(request: HttpRequest) -> HttpResponse:
    body = json.dumps(manifest_data(), ensure_ascii=False, indent=1)
    return HttpResponse(body, content_type="application/manifest+json; charset=utf-8")


@require_safe
@cache_control(max_age=86400)
def icon(request: HttpRequest, size: int, maskable: bool = False) -> HttpResponse:
    allowed = (MASKABLE_SIZE,) if maskable else ICON_SIZES
    if size not in allowed:
        raise Http404
    return HttpResponse(icon_png(size, maskable), content_type="image/png")


@require_safe
@cache_control(no_cache=True)
def service_worker(request: HttpRequest) -> HttpResponse:
    response = HttpResponse(worker_source(), content_type="text/javascript; charset=utf-8")
    response["Service-Worker-Allowed"] = "/"
    return response


@require_safe
def offline(request: HttpRequest) -> HttpResponse:
    # The page is the same for everyone (it is kept at install): it names the report form by
    # its URL, not by whether this visitor may open it.
    try:
        report_url = reverse("reports:new")
    except NoReverseMatch:
        report_url = ""
    return render(request, "core/offline.html", {"report_url": report_url})
