"""``{% location_consent_notice %}``: the one way a page that uses the phone's position learns
whether the logged-in user has consented (``accounts.consent``).

It renders ``#location-consent`` with ``data-location-consent`` set to ``given``, ``missing``
(logged in, no consent: the notice is shown with a button that gives it) or ``anonymous`` (no
account to record a consent against). The page's script asks the browser for the position only
when the value is not ``missing``. Put it outside other forms: it holds one.
"""

from typing import Any

from django import template

from nuanxin.accounts.consent import location_consent_given

register = template.Library()


@register.inclusion_tag("accounts/_location_consent.html", takes_context=True)
def location_consent_notice(context: template.Context) -> dict[str, Any]:
    request = context.get("request")
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        state = "anonymous"
    else:
        state = "given" if location_consent_given(user) else "missing"
    return {"state": state, "request": request}
