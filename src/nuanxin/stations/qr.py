"""Check-in QR codes: the absolute check-in URL of a station, drawn as PNG or SVG."""

import io
import re
from typing import Any
from urllib.parse import urlencode

import qrcode
import qrcode.image.svg
from django.conf import settings
from django.http import HttpRequest
from django.urls import reverse

from nuanxin.stations.models import Station
from nuanxin.stations.services.visits import checkin_path


def absolute(request: HttpRequest | None, path: str) -> str:
    """``path`` on the public site: ``NUANXIN_PUBLIC_URL`` when set (posters are printed and
    must not carry an internal host name), else the host the request came to."""
    base = getattr(settings, "NUANXIN_PUBLIC_URL", "") or ""
    if base:
        return base.rstrip("/") + path
    if request is not None:
        return request.build_absolute_uri(path)
    return path


def checkin_url(request: HttpRequest | None, station: Station) -> str:
    return absolute(request, checkin_path(station))


def live_checkin_url(request: HttpRequest | None, station: Station, code: str) -> str:
    """What a station screen's QR code holds: the check-in page with the current code."""
    return f"{checkin_url(request, station)}?{urlencode({'code': code})}"


def qr_svg_inline(data: str) -> str:
    """The QR code as an ``<svg>`` element to put in a page (sized by the page's CSS)."""
    svg = qr_svg(data).decode()
    start = svg.index("<svg")
    return re.sub(r'\s(width|height)="[^"]*"', "", svg[start:], count=2)


def _qr(data: str) -> qrcode.QRCode:
    # Level M survives a scuffed or partly covered poster; border 4 is the standard quiet zone.
    code = qrcode.QRCode(error_correction=qrcode.constants.ERROR_CORRECT_M, box_size=10, border=4)
    code.add_data(data)
    code.make(fit=True)
    return code


def qr_png(data: str) -> bytes:
    out = io.BytesIO()
    _qr(data).make_image().save(out, format="PNG")
    return out.getvalue()


def qr_svg(data: str) -> bytes:
    out = io.BytesIO()
    _qr(data).make_image(image_factory=qrcode.image.svg.SvgPathImage).save(out)
    return out.getvalue()


def qr_links(request: HttpRequest | None, station: Station) -> dict[str, Any]:
    return {
        "url": checkin_url(request, station),
        "version": station.qr_version,
        "png_url": absolute(request, reverse("stations:qr_png", args=[station.pk])),
        "svg_url": absolute(request, reverse("stations:qr_svg", args=[station.pk])),
        "poster_url": absolute(request, reverse("stations:poster", args=[station.pk])),
    }
