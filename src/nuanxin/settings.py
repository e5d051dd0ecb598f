"""nuanxin settings, read from the environment.

Every value a deployment changes comes from an environment variable; the defaults are safe for a
developer's machine (SQLite in ./data, DEBUG off, loopback hosts only). No secret lives in the repo:
without SECRET_KEY a random key is generated once and kept in the data folder.
"""

import os
import secrets
from pathlib import Path

import dj_database_url
import xstatic.pkg.leaflet
import xstatic.pkg.leaflet_markercluster
from django.utils.translation import gettext_lazy as _

PACKAGE_DIR = Path(__file__).resolve().parent
DATA_DIR = Path(os.environ.get("NUANXIN_DATA_DIR", Path.cwd() / "data")).resolve()
DATA_DIR.mkdir(parents=True, exist_ok=True)


def env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str) -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


def _secret_key() -> str:
    if key := os.environ.get("SECRET_KEY"):
        return key
    key_file = DATA_DIR / "secret_key"
    if not key_file.exists():
        key_file.write_text(secrets.token_urlsafe(50))
        key_file.chmod(0o600)
    return key_file.read_text().strip()


SECRET_KEY = _secret_key()
DEBUG = env_bool("DEBUG", False)
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "127.0.0.1,localhost,[::1]")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", "")

INSTALLED_APPS = [
    "nuanxin.core",
    "nuanxin.geo",
    "nuanxin.accounts",
    "nuanxin.points",
    "nuanxin.registry",
    "nuanxin.stations",
    "nuanxin.reports",
    "nuanxin.open311",
    "nuanxin.store",
    "nuanxin.volunteering",
    "nuanxin.demo",
    "nuanxin.core.admin_site.NuanxinAdminConfig",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django_htmx",
    "ninja",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "nuanxin.core.idempotency.IdempotencyMiddleware",
]
IDEMPOTENCY_PRINCIPAL = "nuanxin.accounts.services.request_principal"

ROOT_URLCONF = "nuanxin.urls"
WSGI_APPLICATION = "nuanxin.wsgi.application"
AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = ["django.contrib.auth.backends.ModelBackend"]
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "home"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [PACKAGE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "nuanxin.core.context_processors.shell",
            ],
        },
    },
]

# Databases: SQLite in the data folder unless DATABASE_URL says otherwise.
_sqlite_path = DATA_DIR / "nuanxin.sqlite3"
DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL", f"sqlite:///{_sqlite_path}"),
        conn_max_age=int(os.environ.get("DB_CONN_MAX_AGE", "60")),
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    DATABASES["default"]["OPTIONS"] = {
        # IMMEDIATE takes the write lock at BEGIN, so two writers never deadlock on an upgrade
        # from a read lock; WAL lets readers run beside the one writer.
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
        "init_command": (
            "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; "
            "PRAGMA busy_timeout=20000; PRAGMA foreign_keys=ON;"
        ),
    }
    # A file, not memory: concurrency tests need other threads and processes to see the database.
    DATABASES["default"]["TEST"] = {
        "NAME": os.environ.get("NUANXIN_TEST_DB_NAME", str(DATA_DIR / "test.sqlite3"))
    }
elif os.environ.get("NUANXIN_TEST_DB_NAME"):
    DATABASES["default"]["TEST"] = {"NAME": os.environ["NUANXIN_TEST_DB_NAME"]}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
if redis_url := os.environ.get("REDIS_URL"):
    CACHES["default"] = {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        "LOCATION": redis_url,
    }

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]
LOCALE_PATHS = [PACKAGE_DIR / "locale"]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = DATA_DIR / "static"
STATIC_ROOT.mkdir(exist_ok=True)
STATICFILES_DIRS = [
    ("leaflet", xstatic.pkg.leaflet.BASE_DIR),
    ("leaflet-markercluster", xstatic.pkg.leaflet_markercluster.BASE_DIR),
]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}
# Static files are served straight from the installed packages, so no collectstatic step is needed.
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = DEBUG
MEDIA_URL = "/media/"
MEDIA_ROOT = Path(os.environ.get("MEDIA_ROOT", DATA_DIR / "media")).resolve()
# Only these folders of MEDIA_ROOT are public (station photos, shop item pictures). Everything
# else, such as report photos, is served by its app's own view after a permission check.
PUBLIC_MEDIA_PREFIXES = ("stations/", "store/")

SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SECURE = env_bool("SECURE_COOKIES", False)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
X_FRAME_OPTIONS = "DENY"

# Maps (docs/operations.md, "Maps"): core/maps.py turns these into the one basemap choice every
# map page reads. With no tile URL the maps draw region outlines and say that no basemap is set.
MAP_TILE_URL = os.environ.get("MAP_TILE_URL", "")
# Tianditu publishes names on a second layer (cva_w) drawn over the roads (vec_w).
MAP_TILE_LABEL_URL = os.environ.get("MAP_TILE_LABEL_URL", "")
# The values of {s} in the URLs ("01234567" for Tianditu's t0-t7); empty: the provider's own.
MAP_TILE_SUBDOMAINS = os.environ.get("MAP_TILE_SUBDOMAINS", "")
MAP_TILE_CRS = os.environ.get("MAP_TILE_CRS", "wgs84")
if MAP_TILE_CRS not in {"wgs84", "gcj02"}:
    raise ValueError(f"MAP_TILE_CRS must be wgs84 or gcj02, not {MAP_TILE_CRS!r}")
MAP_TILE_ATTRIBUTION = os.environ.get("MAP_TILE_ATTRIBUTION", "")
MAP_TILE_MAX_ZOOM = int(os.environ.get("MAP_TILE_MAX_ZOOM", "18"))
if not 1 <= MAP_TILE_MAX_ZOOM <= 22:
    raise ValueError(f"MAP_TILE_MAX_ZOOM must be between 1 and 22, not {MAP_TILE_MAX_ZOOM}")

# A point outside every region boundary falls back to the nearest community centre this close.
REGION_FALLBACK_MAX_METERS = float(os.environ.get("REGION_FALLBACK_MAX_METERS", "3000"))

# Base URL printed on station QR posters; the request's host when unset.
NUANXIN_PUBLIC_URL = os.environ.get("NUANXIN_PUBLIC_URL", "")
# Station visits are personal location data: kept this long, then only counts remain.
STATION_VISIT_RETENTION_DAYS = int(os.environ.get("STATION_VISIT_RETENTION_DAYS", "180"))

SMS_BACKEND = os.environ.get("SMS_BACKEND", "nuanxin.accounts.sms.ConsoleSmsBackend")
SMS_CODE_TTL_SECONDS = 300
SMS_CODE_RESEND_SECONDS = 60
SMS_CODE_MAX_ATTEMPTS = 5
API_TOKEN_TTL_DAYS = int(os.environ.get("API_TOKEN_TTL_DAYS", "30"))

NINJA_PAGINATION_PER_PAGE = 50

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "WARNING")},
    "loggers": {"nuanxin": {"level": os.environ.get("LOG_LEVEL", "INFO")}},
}

NUANXIN_SITE_NAME = _("暖新")
