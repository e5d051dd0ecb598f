"""API authentication: bearer tokens for apps, the session for the site's own pages."""

from typing import Any

from django.http import HttpRequest
from ninja.security import APIKeyCookie, HttpBearer

from nuanxin.accounts.models import User
from nuanxin.accounts.second_factor import second_factor_refusal, second_factor_required
from nuanxin.accounts.services import token_authenticate


class BearerTokenAuth(HttpBearer):
    def authenticate(self, request: HttpRequest, token: str) -> User | None:
        """The token's user. A token of a user whose role needs a second factor acts only if
        it was issued after one (``auth.second_factor_required`` otherwise)."""
        user = token_authenticate(token)
        if user is not None:
            if second_factor_required(user) and not getattr(user, "token_second_factor", False):
                raise second_factor_refusal()
            request.user = user
        return user


class SessionUserAuth(APIKeyCookie):
    """The logged-in site user; unsafe methods also need the CSRF token (checked by Ninja)."""

    param_name = "sessionid"

    def authenticate(self, request: HttpRequest, key: str | None) -> Any:
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            return user
        return None


api_auth = [BearerTokenAuth(), SessionUserAuth()]
