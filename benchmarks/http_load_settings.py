"""Settings for the HTTP load benchmark: the project's, plus one trivial JSON endpoint."""

from nuanxin.settings import *  # noqa: F403

ROOT_URLCONF = "http_load_urls"
