"""Settings for the stations benchmark: the project's, plus a URL for the table scan."""

from nuanxin.settings import *  # noqa: F403

ROOT_URLCONF = "stations_bench_urls"
