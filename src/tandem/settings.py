"""Django settings, derived entirely from :mod:`tandem.config` (environment variables override)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import dj_database_url
from csp.constants import NONE, SELF

from tandem.config import Options

OPTIONS = Options.from_environment()
BASE_DIR = Path(__file__).resolve().parent

SECRET_KEY = OPTIONS.secret_key
DEBUG = OPTIONS.debug
ALLOWED_HOSTS = OPTIONS.allowed_hosts
CSRF_TRUSTED_ORIGINS = OPTIONS.csrf_trusted_origins

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django_htmx",
    # Serves the API docs' Swagger UI from Tandem's own static files, not a CDN (and so
    # within the Content-Security-Policy).
    "ninja",
    "django_tasks",
    "django_tasks_db",
    "axes",
    "csp",
    "tandem.core",
    "tandem.roster",
    "tandem.privacy",
    "tandem.competencies",
    "tandem.content",
    "tandem.evidence",
    "tandem.mastery",
    "tandem.placement",
    "tandem.profiles",
    "tandem.wellbeing",
    "tandem.projects",
    "tandem.goals",
    "tandem.pathways",
    "tandem.checkins",
    "tandem.interop",
    "tandem.practice",
    "tandem.groups",
    "tandem.flex",
    "tandem.teaching",
    "tandem.credit",
    "tandem.family",
    "tandem.leaders",
    "tandem.lti",
    "tandem.studentdata",
    "tandem.api",
]

MIDDLEWARE = [
    # First: an oversized body is refused before anything (the CSRF check) reads it.
    "tandem.core.middleware.request_size_limit",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    # The language from the cookie or Accept-Language; user_language (below) puts a signed-in
    # user's own choice over it.
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "tandem.core.middleware.student_idle_sign_out",
    "tandem.core.middleware.user_language",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # Inside X-Frame-Options, so that with TANDEM_LTI_EMBED lms_framing (between the two) can
    # both lift DENY and add frame-ancestors to the policy.
    "csp.middleware.CSPMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "tandem.privacy.middleware.AdminRecordAuditMiddleware",
    "tandem.core.middleware.no_store",
    # Last, as django-axes asks: it turns a locked-out sign-in into the lockout page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "tandem.urls"
WSGI_APPLICATION = "tandem.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "tandem.core.context_processors.shell",
            ],
            # {{ text|math }} on every page that shows an item or a standard, without a {% load %}.
            "builtins": [
                "tandem.content.templatetags.math_notation",
                # Its date filter takes the place of Django's: dates in the reader's order.
                "tandem.core.templatetags.local_dates",
                # Its url tag remembers each argument-free reversal (the navigation on every page).
                "tandem.core.templatetags.remembered_urls",
            ],
        },
    },
]


def _database() -> dict[str, object]:
    # Connections are kept between requests (each of gunicorn's threads holds one): opening one
    # per request cost 5-10% of a practice loop's CPU on SQLite (its PRAGMAs) and a TCP
    # handshake and authentication on PostgreSQL. A dropped connection is noticed before use.
    config: dict[str, object] = dict(
        dj_database_url.parse(OPTIONS.database_url, conn_max_age=600, conn_health_checks=True)
    )
    if config["ENGINE"] == "django.db.backends.sqlite3":
        Path(str(config["NAME"])).parent.mkdir(parents=True, exist_ok=True)
        config["OPTIONS"] = {
            # WAL lets readers and one writer work at once; IMMEDIATE avoids deadlocked upgrades.
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
            "transaction_mode": "IMMEDIATE",
            "timeout": 20,
        }
    elif config["ENGINE"] == "django.db.backends.postgresql" and OPTIONS.postgres_prepared:
        # psycopg binds parameters on the server and prepares a statement on its fifth run in
        # a connection: PostgreSQL stops re-planning the practice loop's queries. Measured at
        # 300 students on 2 cores (make bench-load, 2026-12-05): PostgreSQL's CPU 0.28 -> 0.19
        # cores, Tandem's 30.7 -> 27.8 ms per answer, next item p95 1.1 s -> 0.25 s.
        config["OPTIONS"] = {"server_side_binding": True, "prepare_threshold": 5}
        # Django's backend with bulk writes batched under the protocol's 65,535 parameters.
        config["ENGINE"] = "tandem.backends.postgresql"
    return config


DATABASES = {"default": _database()}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "roster.User"

AUTHENTICATION_BACKENDS = [
    # Refuses a locked-out account or address before the password is even hashed.
    "tandem.core.auth.ThrottledSignInBackend",
    # Django's password check, one password at a time per machine, so that sign-ins never
    # starve practice (core/passwords.py).
    "tandem.core.passwords.TurnTakingModelBackend",
]
# Sign-in throttling (django-axes): an account, and separately an address, is locked after this
# many failures for TANDEM_LOGIN_LOCKOUT_MINUTES; an administrator unlocks it in the admin
# (Axes › Access attempts: delete the entry) or with `tandem manage axes_reset_username NAME`.
AXES_FAILURE_LIMIT = OPTIONS.login_failure_limit
AXES_COOLOFF_TIME = dt.timedelta(minutes=OPTIONS.login_lockout_minutes)
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
AXES_RESET_ON_SUCCESS = False
AXES_VERBOSE = False

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

LANGUAGE_CODE = "en-us"
# English, and Spanish as the second language (the most common home language of US English
# learners). The catalogs are in tandem/locale (`make messages` refreshes them).
LANGUAGES = [("en", "English"), ("es", "Español")]
LOCALE_PATHS = [BASE_DIR / "locale"]
LANGUAGE_COOKIE_AGE = 365 * 24 * 60 * 60
TIME_ZONE = OPTIONS.time_zone

TANDEM_DATA_DIR = OPTIONS.data_dir
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = OPTIONS.data_dir / "static"
# Uploaded files (project submissions, roster bundles) live in the data directory, or in an
# S3-compatible bucket shared by several app servers (TANDEM_S3_BUCKET); either way they are
# read through Django's storage API and served only through views that check access.
MEDIA_ROOT = OPTIONS.data_dir / "media"
MEDIA_URL = "/media/"
STORAGES = {
    "default": OPTIONS.file_storage(),
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}
WHITENOISE_USE_FINDERS = DEBUG

# Django's database sessions, read without the ORM's query building (core/sessions.py).
SESSION_ENGINE = "tandem.core.sessions"
SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = False
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
# A staff session lasts a working day; a student's ends sooner (tandem.core.signals), as
# classroom devices are shared.
SESSION_COOKIE_AGE = 12 * 60 * 60
TANDEM_STUDENT_SESSION_SECONDS = 4 * 60 * 60
# And it ends sooner still when the student leaves the device: after this long without a
# request (tandem.core.middleware.student_idle_sign_out; TANDEM_STUDENT_IDLE_MINUTES).
TANDEM_STUDENT_IDLE_SECONDS = OPTIONS.student_idle_minutes * 60
# Bodies are refused before they are read when too large (tandem.core.middleware); form data
# other than files stays at Django's 2.5 MB, and files over it go to a temporary file.
DATA_UPLOAD_MAX_MEMORY_SIZE = 2_621_440
FILE_UPLOAD_MAX_MEMORY_SIZE = 2_621_440

if OPTIONS.https:
    # Served over HTTPS, usually behind a TLS proxy that sets X-Forwarded-Proto (and must
    # overwrite one sent by the client). The health check stays reachable over plain HTTP.
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_SSL_REDIRECT = True
    SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_HSTS_SECONDS = 365 * 24 * 60 * 60
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    # Preloading is a decision for the owner of the whole domain (browsers preload only
    # registrable domains, and a school's Tandem is a host within one), so it is not asked for.
    SILENCED_SYSTEM_CHECKS = ["security.W021"]


def _inline_style_hash(template: Path) -> str:
    """The CSP hash of the one inline style kept: the 500 page's, which loads no static files."""
    import base64
    import hashlib
    import re

    found = re.search(r"<style>(.*?)</style>", template.read_text(), re.DOTALL)
    assert found, f"{template} has no <style> block"
    digest = hashlib.sha256(found.group(1).encode()).digest()
    return f"'sha256-{base64.b64encode(digest).decode()}'"


# Content-Security-Policy: scripts and styles from Tandem's own static files only (no inline
# code; htmx is told not to inject styles or evaluate code, in base.html). Forms may post
# elsewhere (LTI deep linking returns to the LMS), so form-action is left open; framing is
# refused by X-Frame-Options (and allowed for registered LMSs with TANDEM_LTI_EMBED, below).
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF, _inline_style_hash(BASE_DIR / "core/templates/500.html")],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "object-src": [NONE],
        "base-uri": [SELF],
    }
}

if OPTIONS.lti_embed:
    # In an LMS iframe Tandem is a third-party site: browsers send its cookies only with
    # SameSite=None, which they accept only with Secure (so HTTPS), and the LMS must be allowed
    # to frame it (a CSP frame-ancestors naming the registered platforms replaces DENY).
    SESSION_COOKIE_SAMESITE = "None"
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SAMESITE = "None"
    CSRF_COOKIE_SECURE = True
    # Outside django-csp's middleware, so that it adds frame-ancestors to the whole policy.
    MIDDLEWARE.insert(
        MIDDLEWARE.index("csp.middleware.CSPMiddleware"), "tandem.lti.middleware.lms_framing"
    )

TASKS = {
    "default": {"BACKEND": "django_tasks_db.DatabaseBackend"},
}

TANDEM_UNSEEN_DAYS = OPTIONS.unseen_days
TANDEM_STUCK_ATTEMPTS = OPTIONS.stuck_attempts
# Nobody should go longer than this many days without a one-to-one check-in.
TANDEM_CHECKIN_DAYS = OPTIONS.checkin_days
# The homePage of the pseudonymous student accounts in exported xAPI statements.
TANDEM_SITE_URL = OPTIONS.site_url
# Erase students whose enrolments all ended more than this many years ago (None: never).
TANDEM_RETENTION_YEARS = OPTIONS.retention_years
# No leader's page or export shows a figure for a group of fewer students (TANDEM_SMALL_CELL).
TANDEM_SMALL_CELL = OPTIONS.small_cell
# The leaders' stored figures are worked out again once older than this (minutes).
TANDEM_LEADER_FIGURES_MAX_AGE_MINUTES = OPTIONS.leader_figures_max_age_minutes
# Calibration and activation run in a forked child of the task worker, so that the worker gives
# their memory back afterwards (tandem.isolation); the test suite turns it off.
TANDEM_HEAVY_TASKS_IN_CHILD = True

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": "WARNING"},
    "loggers": {"tandem": {"level": "INFO"}},
}
