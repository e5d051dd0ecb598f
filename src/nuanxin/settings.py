"""nuanxin settings, read from the environment.

Every value a deployment changes comes from an environment variable; the defaults are safe for a
developer's machine (SQLite in ./data, DEBUG off, loopback hosts only). No secret lives in the repo:
without SECRET_KEY a random key is generated once and kept in the data folder.
"""

import datetime as dt
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
    # Before ours: the admin's discovery registers their pages first, so that
    # nuanxin.accounts.admin and nuanxin.core.admin can take them off the admin again.
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "django_tasks",
    "django_tasks_db",
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
    "nuanxin.party",
    "nuanxin.coverage",
    "nuanxin.dashboard",
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
    "axes",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "nuanxin.core.headers.PolicyMiddleware",
    "django_permissions_policy.PermissionsPolicyMiddleware",
    # whitenoise, preferring the collected gzip copies that `nuanxin serve` writes.
    "nuanxin.core.staticfiles.CollectedFirstWhiteNoise",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # request.user.is_verified(): the session passed a second factor (django-otp).
    "django_otp.middleware.OTPMiddleware",
    # Staff sessions end after STAFF_SESSION_IDLE_MINUTES idle; staff whose role needs a second
    # factor reach nothing but the login steps until they pass it.
    "nuanxin.accounts.second_factor_gate.SecondFactorMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "nuanxin.core.edge.EdgeMiddleware",
    "nuanxin.core.audit.AuditContextMiddleware",
    "nuanxin.core.idempotency.IdempotencyMiddleware",
    # Last, as django-axes asks: it turns a login refused for a lockout into the lockout answer.
    "axes.middleware.AxesMiddleware",
]
# The edge's limits (core/edge.py) and the interfaces that answer its refusals in their own
# format rather than as a page.
EDGE_API_PREFIXES = {
    "/api/": "nuanxin.core.edge.api_error_response",
    "/open311/": "nuanxin.open311.views.edge_error_response",
}
EDGE_MAX_JSON_DEPTH = 32
EDGE_MAX_JSON_BYTES = 1024 * 1024
EDGE_MAX_BODY_BYTES = 64 * 1024 * 1024
IDEMPOTENCY_PRINCIPAL = "nuanxin.accounts.services.request_principal"

ROOT_URLCONF = "nuanxin.urls"
WSGI_APPLICATION = "nuanxin.wsgi.application"
AUTH_USER_MODEL = "accounts.User"
# The lockout backend comes first: it refuses a locked-out account or address before any
# password is checked.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
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
            # Durations read as hours and minutes on every page ({{ h|hours_minutes }}).
            "builtins": ["nuanxin.core.templatetags.nuanxin_time"],
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

# A read replica (a streamed standby): the dashboard's pages, API and exports read from it
# through nuanxin.core.replica, everything else (and every write) uses the primary.
if replica_url := os.environ.get("DATABASE_REPLICA_URL"):
    DATABASES["replica"] = dj_database_url.parse(
        replica_url,
        conn_max_age=int(os.environ.get("DB_CONN_MAX_AGE", "60")),
        conn_health_checks=True,
    )
    # Tests run against the primary's test database: the replica is the same data.
    DATABASES["replica"]["TEST"] = {"MIRROR": "default"}
    DATABASE_ROUTERS = ["nuanxin.core.replica.ReplicaRouter"]
    MIDDLEWARE.insert(0, "nuanxin.core.replica.ReplicaReadsMiddleware")
# The URLs whose reads may go to the replica (a request that writes reads the primary after).
REPLICA_READ_PATHS = ("/dashboard/", "/api/v1/dashboard/")

# DATABASE_POOLER=pgbouncer: the database URLs lead to PgBouncer in transaction mode, which hands
# each transaction to whichever server connection is free. Nothing may outlive a transaction
# on the server side: no server-side cursors (Django's .iterator() opens them WITH HOLD) and
# no prepared statements (psycopg prepares a query once it ran 5 times on a connection;
# PgBouncer before 1.21 cannot follow them from one server connection to another).
DATABASE_POOLER = os.environ.get("DATABASE_POOLER", "")
if DATABASE_POOLER not in {"", "pgbouncer"}:
    raise ValueError(f"DATABASE_POOLER must be pgbouncer or empty, not {DATABASE_POOLER!r}")
for _database in DATABASES.values():
    if DATABASE_POOLER and _database["ENGINE"] == "django.db.backends.postgresql":
        _database["DISABLE_SERVER_SIDE_CURSORS"] = True
        _database.setdefault("OPTIONS", {})["prepare_threshold"] = None

CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
if redis_url := os.environ.get("REDIS_URL"):
    # Shared by every app server: the cache, the counters kept in it (wrong pickup codes,
    # station screen codes) and the sessions, read from Redis and written through to the
    # database (cached_db), so a Redis restart logs nobody out.
    CACHES["default"] = {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        "LOCATION": redis_url,
        "KEY_PREFIX": os.environ.get("REDIS_KEY_PREFIX", "nuanxin"),
    }
    SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"

# Password policy: long enough, not one of the common passwords, not all digits, not like the
# user's phone or name. Argon2 hashes new passwords; a PBKDF2 hash from before is still
# accepted and rehashed with Argon2 at the next successful login.
PASSWORD_MIN_LENGTH = int(os.environ.get("PASSWORD_MIN_LENGTH", "10"))
# Background tasks (Django's Tasks API through the django-tasks backport): queued in the
# database, so workers on any host take them (`nuanxin task-worker`; `serve` starts one).
# TASKS_BACKEND=rq queues them in Redis instead (django-tasks-rq), for RQ workers on any host
# (`nuanxin rq-worker`); their results are kept in Redis.
TASKS_BACKEND = os.environ.get("TASKS_BACKEND", "database")
if TASKS_BACKEND == "database":
    TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
elif TASKS_BACKEND == "rq":
    _tasks_redis = os.environ.get("TASKS_REDIS_URL") or os.environ.get("REDIS_URL")
    if not _tasks_redis:
        raise ValueError("TASKS_BACKEND=rq needs TASKS_REDIS_URL or REDIS_URL")
    TASKS = {"default": {"BACKEND": "django_tasks_rq.RQBackend", "QUEUES": ["default"]}}
    RQ_QUEUES = {"default": {"URL": _tasks_redis}}
    INSTALLED_APPS += ["django_rq", "django_tasks_rq"]
else:
    raise ValueError(f"TASKS_BACKEND must be database or rq, not {TASKS_BACKEND!r}")

AUTH_PASSWORD_VALIDATORS = [
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": PASSWORD_MIN_LENGTH},
    },
    {
        "NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator",
        "OPTIONS": {"user_attributes": ("phone", "name")},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2SHA1PasswordHasher",
]

# Sessions: workers stay logged in for SESSION_DAYS; a staff session ends after
# STAFF_SESSION_IDLE_MINUTES without a request (accounts.second_factor_gate).
SESSION_COOKIE_AGE = int(os.environ.get("SESSION_DAYS", "14")) * 24 * 3600
STAFF_SESSION_IDLE_MINUTES = int(os.environ.get("STAFF_SESSION_IDLE_MINUTES", "30"))
# Two-factor login (TOTP, django-otp) for the staff roles accounts.second_factor names. The
# issuer is the name an authenticator app shows beside the account.
OTP_TOTP_ISSUER = os.environ.get("OTP_TOTP_ISSUER", "暖新")
# How many single-use backup codes an enrolment hands out.
OTP_BACKUP_CODES = 10

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
STATICFILES_FINDERS = [
    "django.contrib.staticfiles.finders.FileSystemFinder",
    "django.contrib.staticfiles.finders.AppDirectoriesFinder",
    # plotly.min.js from the installed plotly package (dashboard charts).
    "nuanxin.dashboard.staticfiles.PlotlyFinder",
]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}
# Uploads on S3-compatible object storage (django-storages) when a bucket is named: AWS S3,
# MinIO, Ceph, Aliyun OSS, Tencent COS... The bucket stays private; files are still addressed
# under MEDIA_URL and served by the application after its checks (nuanxin.core.storage).
if media_bucket := os.environ.get("MEDIA_S3_BUCKET"):
    _s3_options = {
        "bucket_name": media_bucket,
        "location": os.environ.get("MEDIA_S3_PREFIX", ""),
        "file_overwrite": False,
        "default_acl": None,
        "querystring_auth": True,
    }
    # An option left unset keeps boto3's own (keys: AWS_ACCESS_KEY_ID, ~/.aws, an instance role).
    for _option, _value in (
        ("endpoint_url", os.environ.get("MEDIA_S3_ENDPOINT_URL")),
        ("region_name", os.environ.get("MEDIA_S3_REGION")),
        ("addressing_style", os.environ.get("MEDIA_S3_ADDRESSING_STYLE")),
        ("access_key", os.environ.get("MEDIA_S3_ACCESS_KEY")),
        ("secret_key", os.environ.get("MEDIA_S3_SECRET_KEY")),
    ):
        if _value:
            _s3_options[_option] = _value
    STORAGES["default"] = {"BACKEND": "nuanxin.core.storage.MediaS3Storage", "OPTIONS": _s3_options}
# Static files are served straight from the installed packages, so no collectstatic step is needed.
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = DEBUG
MEDIA_URL = "/media/"
MEDIA_ROOT = Path(os.environ.get("MEDIA_ROOT", DATA_DIR / "media")).resolve()
# Only these folders of MEDIA_ROOT are public (station photos, shop item pictures). Everything
# else, such as report photos, is served by its app's own view after a permission check.
PUBLIC_MEDIA_PREFIXES = ("stations/", "store/")

# Transport. HTTPS=true where the site is served over HTTPS (directly or behind a proxy that
# sets X-Forwarded-Proto, see TRUST_PROXY_HTTPS): every plain-HTTP request is redirected, browsers
# are told to use HTTPS only (HSTS) and cookies travel only over HTTPS.
HTTPS = env_bool("HTTPS", False)
SECURE_SSL_REDIRECT = HTTPS
SECURE_HSTS_SECONDS = int(os.environ.get("HSTS_SECONDS", "31536000")) if HTTPS else 0
SECURE_HSTS_INCLUDE_SUBDOMAINS = HTTPS
# Lets the domain be submitted to the browsers' HSTS preload list; HSTS_PRELOAD=false opts out.
SECURE_HSTS_PRELOAD = env_bool("HSTS_PRELOAD", HTTPS)
if env_bool("TRUST_PROXY_HTTPS", False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SECURE = env_bool("SECURE_COOKIES", HTTPS)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
X_FRAME_OPTIONS = "DENY"
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"


# Content-Security-Policy (django-csp): scripts, styles and everything else come from this
# site only; no inline script, no inline style, no plug-ins, no framing. Map tiles are the one
# outside source: core.headers adds the configured tile servers' origins to img-src.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:", "blob:"],
        "connect-src": ["'self'"],
        "font-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    }
}
# Permissions-Policy: a page may ask for the position (nearest station, report location,
# volunteer sign-in) and nothing else the browser can grant.
PERMISSIONS_POLICY = {
    "geolocation": ["self"],
    "camera": [],
    "microphone": [],
    "payment": [],
    "usb": [],
    "serial": [],
    "bluetooth": [],
    "midi": [],
}

# Uploaded images (report photos, station photos, shop item pictures) all go through
# nuanxin.core.images under the same limits, checked from the file's header before any pixel is
# decoded. Decoding costs about 4 bytes a pixel (a JPEG much less: it is decoded at a reduced
# scale), so IMAGE_MAX_PIXELS bounds the memory one upload takes; Pillow's own limit (89 MP)
# caps it. Each purpose says only how large the stored copy is.
IMAGE_MAX_BYTES = int(os.environ.get("IMAGE_MAX_BYTES", str(10 * 1024 * 1024)))
IMAGE_MAX_WIDTH = int(os.environ.get("IMAGE_MAX_WIDTH", "10000"))
IMAGE_MAX_HEIGHT = int(os.environ.get("IMAGE_MAX_HEIGHT", "10000"))
IMAGE_MAX_PIXELS = int(os.environ.get("IMAGE_MAX_PIXELS", "40000000"))
IMAGE_QUALITY = 82
IMAGE_PURPOSES = {
    "report_photo": {"max_edge": 2048, "thumbnail_edge": 360},
    "station_photo": {"max_edge": 1600},
    "store_picture": {"max_edge": 1600, "keep_transparency": True},
}

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
# Reporters without an account (Open311) leave a name, phone or e-mail; kept this long.
REPORT_CONTACT_RETENTION_DAYS = int(os.environ.get("REPORT_CONTACT_RETENTION_DAYS", "365"))
# The 15-minute service circle (coverage app, docs/operations.md "Coverage"). Speeds in km/h per
# OSM road type and mode; a type missing from a mode's table is not used by it (motorways by
# neither, ferries and footways by walking only). The urban e-bike default is 15 km/h.
_RIDE_KMH = float(os.environ.get("COVERAGE_RIDE_KMH", "15"))
_WALK_KMH = float(os.environ.get("COVERAGE_WALK_KMH", "4.5"))
COVERAGE_SPEEDS_KMH = {
    "ride": {
        **dict.fromkeys(
            ["trunk", "trunk_link", "primary", "primary_link", "secondary", "secondary_link",
             "tertiary", "tertiary_link", "unclassified", "residential", "road", "cycleway"],
            _RIDE_KMH,
        ),
        "living_street": min(_RIDE_KMH, 10.0),
        "service": min(_RIDE_KMH, 12.0),
        "track": min(_RIDE_KMH, 10.0),
        "path": min(_RIDE_KMH, 10.0),
    },
    "walk": {
        **dict.fromkeys(
            ["trunk", "trunk_link", "primary", "primary_link", "secondary", "secondary_link",
             "tertiary", "tertiary_link", "unclassified", "residential", "road", "cycleway",
             "living_street", "service", "track", "path", "footway", "pedestrian", "steps"],
            _WALK_KMH,
        ),
        "ferry": 10.0,
    },
}  # fmt: skip
# Where the imported network's arrays are kept (default: MEDIA_ROOT/coverage/roads.npz, private).
COVERAGE_NETWORK_PATH = os.environ.get("COVERAGE_NETWORK_PATH", "")
# Without a network: straight-line distance times this factor, at the mode's speed.
COVERAGE_DETOUR_FACTOR = float(os.environ.get("COVERAGE_DETOUR_FACTOR", "1.3"))
COVERAGE_THRESHOLD_MINUTES = int(os.environ.get("COVERAGE_THRESHOLD_MINUTES", "15"))
# A point farther than this from the mode's network is reached by the straight-line estimate.
COVERAGE_SNAP_MAX_M = float(os.environ.get("COVERAGE_SNAP_MAX_M", "500"))
# Personal locations (reports) are counted per square cell of this size before any use.
COVERAGE_CELL_M = int(os.environ.get("COVERAGE_CELL_M", "250"))
# The dashboard's 15-minute coverage per region is computed once for the city and kept this long.
COVERAGE_FIGURES_CACHE_SECONDS = int(os.environ.get("COVERAGE_FIGURES_CACHE_SECONDS", "300"))
# The dashboard's snapshot of every region's figures and charts is taken this often by the
# periodic jobs; views read it while it is under three intervals old, else count live.
DASHBOARD_REFRESH_MINUTES = int(os.environ.get("DASHBOARD_REFRESH_MINUTES", "5"))

# Full phone or ID numbers one staff member may reveal in any hour (each with a stated purpose).
REVEALS_PER_HOUR = int(os.environ.get("REVEALS_PER_HOUR", "20"))
# The Open311 server's jurisdiction_id (one city per server); a request naming another is 404.
OPEN311_JURISDICTION_ID = os.environ.get("OPEN311_JURISDICTION_ID", "")
# 应建尽建: an enterprise with at least this many formal party members among its workers and no
# party organisation of its own must set one up.
PARTY_MUST_SET_UP_MIN_MEMBERS = int(os.environ.get("PARTY_MUST_SET_UP_MIN_MEMBERS", "3"))
# Where notifications go (core.delivery): the inbox and outside channels, comma-separated
# (inbox, console, webpush, sms, wechat, or a dotted path); console too in development.
NOTIFICATION_DELIVERY = os.environ.get(
    "NOTIFICATION_DELIVERY", "inbox,console" if DEBUG else "inbox"
)
# "thread" sends outside deliveries right after the commit in a background thread; "jobs"
# leaves them to the periodic job core.deliver_notifications (which retries either way).
NOTIFICATION_DISPATCH = os.environ.get("NOTIFICATION_DISPATCH", "thread")
NOTIFICATION_DELIVERY_ATTEMPTS = int(os.environ.get("NOTIFICATION_DELIVERY_ATTEMPTS", "5"))
NOTIFICATION_HTTP_TIMEOUT_SECONDS = float(os.environ.get("NOTIFICATION_HTTP_TIMEOUT_SECONDS", "5"))
# Web Push: the VAPID key pair's private half (`nuanxin vapid-keys`), the contact the push
# services see, how long they keep an undelivered message, and the push services we post to.
VAPID_PRIVATE_KEY = os.environ.get("VAPID_PRIVATE_KEY", "")
VAPID_SUBJECT = os.environ.get("VAPID_SUBJECT", "mailto:admin@localhost")
NOTIFICATION_PUSH_TTL_SECONDS = int(os.environ.get("NOTIFICATION_PUSH_TTL_SECONDS", "86400"))
NOTIFICATION_PUSH_HOSTS = env_list(
    "NOTIFICATION_PUSH_HOSTS",
    "fcm.googleapis.com,.push.services.mozilla.com,.notify.windows.com,.push.apple.com",
)
# SMS and WeChat template messages: the HTTP interface each posts JSON to, its bearer token,
# and which kinds of notification are sent that way (empty: all; "x." for a prefix).
NOTIFICATION_SMS_URL = os.environ.get("NOTIFICATION_SMS_URL", "")
NOTIFICATION_SMS_TOKEN = os.environ.get("NOTIFICATION_SMS_TOKEN", "")
NOTIFICATION_SMS_KINDS = env_list(
    "NOTIFICATION_SMS_KINDS", "store.ready,store.expiring,volunteer.reminder,registry."
)
NOTIFICATION_WECHAT_URL = os.environ.get("NOTIFICATION_WECHAT_URL", "")
NOTIFICATION_WECHAT_TOKEN = os.environ.get("NOTIFICATION_WECHAT_TOKEN", "")
NOTIFICATION_WECHAT_TEMPLATE_ID = os.environ.get("NOTIFICATION_WECHAT_TEMPLATE_ID", "")
NOTIFICATION_WECHAT_KINDS = env_list("NOTIFICATION_WECHAT_KINDS", "")
# Reminders: a waiting shop order this many hours before its pickup deadline; a volunteer with
# a place this many hours before the session starts.
STORE_EXPIRY_REMINDER_HOURS = float(os.environ.get("STORE_EXPIRY_REMINDER_HOURS", "24"))
VOLUNTEER_REMINDER_HOURS = float(os.environ.get("VOLUNTEER_REMINDER_HOURS", "3"))

# Our reverse proxies (addresses or CIDR ranges). Only a request that arrives from one of them has
# its X-Forwarded-For read for the client's address (nuanxin.core.net.client_ip).
TRUSTED_PROXIES = env_list("TRUSTED_PROXIES", "")

# Password login lockout (django-axes, attempts kept in the database): an account is locked after
# LOGIN_FAILURE_LIMIT wrong passwords, a client address after LOGIN_ADDRESS_FAILURE_LIMIT (many
# people may share one address behind a carrier's NAT), each for LOGIN_LOCKOUT_MINUTES after the
# failures that reached the limit. API, login page and admin login all go through it.
LOGIN_FAILURE_LIMIT = int(os.environ.get("LOGIN_FAILURE_LIMIT", "5"))
LOGIN_ADDRESS_FAILURE_LIMIT = int(os.environ.get("LOGIN_ADDRESS_FAILURE_LIMIT", "30"))
LOGIN_LOCKOUT_MINUTES = int(os.environ.get("LOGIN_LOCKOUT_MINUTES", "15"))
# Successful logins and failures are kept this long for the admin's login records (PIPL).
LOGIN_LOG_RETENTION_DAYS = int(os.environ.get("LOGIN_LOG_RETENTION_DAYS", "90"))
AXES_ENABLED = env_bool("LOGIN_LOCKOUT", True)
AXES_HANDLER = "nuanxin.accounts.lockout.LoginAttemptHandler"
AXES_FAILURE_LIMIT = LOGIN_FAILURE_LIMIT
AXES_COOLOFF_TIME = dt.timedelta(minutes=LOGIN_LOCKOUT_MINUTES)
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]
AXES_USERNAME_FORM_FIELD = "phone"
AXES_USERNAME_CALLABLE = "nuanxin.accounts.lockout.login_username"
AXES_CLIENT_IP_CALLABLE = "nuanxin.core.net.client_ip"
AXES_LOCKOUT_CALLABLE = "nuanxin.accounts.lockout.lockout_response"
# A success does not wipe the failures: else one's own account would reset an address's count.
AXES_RESET_ON_SUCCESS = False
# Tries refused during a lockout do not prolong it, so the Retry-After we answer stays true.
AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = False
AXES_ENABLE_ACCESS_FAILURE_LOG = True
# The admin pages for attempts and logs are nuanxin's own (accounts/admin_logins.py), in Chinese.
AXES_ENABLE_ADMIN = False
AXES_SENSITIVE_PARAMETERS = ["username", "ip_address", "phone", "code", "csrfmiddlewaretoken"]

# How long a worker's phone stays logged in when the login form's "keep me logged in" box is
# ticked (it is by default); 0 ends every session when the browser closes.
LOGIN_REMEMBER_DAYS = int(os.environ.get("LOGIN_REMEMBER_DAYS", "30"))

SMS_BACKEND = os.environ.get("SMS_BACKEND", "nuanxin.accounts.sms.ConsoleSmsBackend")
SMS_CODE_TTL_SECONDS = 300
SMS_CODE_MAX_ATTEMPTS = 5
# Sending limits, counted over the codes sent (nuanxin.accounts.limits); 0 switches one off.
SMS_CODE_RESEND_SECONDS = int(os.environ.get("SMS_CODE_RESEND_SECONDS", "60"))
SMS_PHONE_LIMIT_PER_DAY = int(os.environ.get("SMS_PHONE_LIMIT_PER_DAY", "10"))
SMS_CLIENT_LIMIT_PER_MINUTE = int(os.environ.get("SMS_CLIENT_LIMIT_PER_MINUTE", "5"))
SMS_CLIENT_LIMIT_PER_HOUR = int(os.environ.get("SMS_CLIENT_LIMIT_PER_HOUR", "30"))
SMS_GLOBAL_LIMIT_PER_MINUTE = int(os.environ.get("SMS_GLOBAL_LIMIT_PER_MINUTE", "120"))
# Wrong codes from one client address within LOGIN_LOCKOUT_MINUTES before SMS login is refused.
SMS_LOGIN_CLIENT_FAILURE_LIMIT = int(os.environ.get("SMS_LOGIN_CLIENT_FAILURE_LIMIT", "20"))
API_TOKEN_TTL_DAYS = int(os.environ.get("API_TOKEN_TTL_DAYS", "30"))

# Manual points adjustments: the most one adjustment may move, the most one staff member may
# adjust in a month (credits and debits alike), and above how many points an adjustment waits
# for a second, more senior approver.
POINTS_ADJUSTMENT_MAX = int(os.environ.get("POINTS_ADJUSTMENT_MAX", "1000"))
POINTS_ADJUSTMENT_MONTHLY_MAX = int(os.environ.get("POINTS_ADJUSTMENT_MONTHLY_MAX", "5000"))
POINTS_ADJUSTMENT_APPROVAL_ABOVE = int(os.environ.get("POINTS_ADJUSTMENT_APPROVAL_ABOVE", "100"))

# Verified volunteer hours may exceed what the QR scans prove by this much without a written basis.
VOLUNTEER_HOURS_TOLERANCE_MINUTES = int(os.environ.get("VOLUNTEER_HOURS_TOLERANCE_MINUTES", "15"))

# Audit rows are sealed into the hash chain once this old (core.audit_chain).
AUDIT_SEAL_AFTER_SECONDS = int(os.environ.get("AUDIT_SEAL_AFTER_SECONDS", "600"))

NINJA_PAGINATION_PER_PAGE = 50

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "WARNING")},
    "loggers": {"nuanxin": {"level": os.environ.get("LOG_LEVEL", "INFO")}},
}

NUANXIN_SITE_NAME = _("暖新")

# Personal data at rest (core.crypto): ID numbers (and phone numbers where PII_SEAL_PHONES is
# on) are stored encrypted and found by a keyed hash. PII_KEYS is "id:base64-of-32-bytes,..."
# (the first encrypts, all decrypt); PII_HASH_KEY keys the lookup hash; PII_CIPHER is aes-gcm,
# or sm4-gcm where commercial cryptography (GB/T 39786) is required. Without PII_KEYS a key is
# derived from SECRET_KEY for development and the demo; `nuanxin serve` refuses to run on it
# unless DEBUG is on, and `nuanxin check --deploy` reports it.
PII_KEYS = os.environ.get("PII_KEYS", "")
PII_HASH_KEY = os.environ.get("PII_HASH_KEY", "")
PII_CIPHER = os.environ.get("PII_CIPHER", "aes-gcm")
# Accounts' phones (the login name, SMS codes) sealed too, and django-axes' records naming the
# account by a masked phone and a keyed hash (core.fields.PhoneField). After switching it either
# way, `nuanxin rotate-keys` seals (or opens) the rows already stored.
PII_SEAL_PHONES = env_bool("PII_SEAL_PHONES", False)
