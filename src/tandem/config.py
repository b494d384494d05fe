"""Tandem's one typed source of configuration: each option, its default, its variable."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

_TRUE = {"1", "true", "yes", "on"}


def _env_bool(name: str, default: bool) -> bool:
    raw = os.environ.get(name)
    return default if raw is None else raw.strip().lower() in _TRUE


def _env_list(name: str, default: list[str]) -> list[str]:
    raw = os.environ.get(name)
    if raw is None:
        return default
    return [part.strip() for part in raw.split(",") if part.strip()]


@dataclass(frozen=True)
class Options:
    """Settings an operator may change, read once from the environment."""

    data_dir: Path
    database_url: str
    secret_key: str
    debug: bool
    allowed_hosts: list[str]
    csrf_trusted_origins: list[str] = field(default_factory=list)
    unseen_days: int = 7
    stuck_attempts: int = 8
    checkin_days: int = 14
    time_zone: str = "UTC"
    # Tandem opened inside an LMS iframe (LTI): third-party cookies and framing by the LMS.
    lti_embed: bool = False
    # Where this Tandem is reached (https://tandem.school.example); names its accounts in xAPI.
    site_url: str = ""
    # Uploaded files in an S3-compatible bucket instead of the data directory, so that several
    # app servers share them (a district); credentials come from the usual AWS_* variables.
    s3_bucket: str = ""
    s3_endpoint_url: str = ""
    s3_region: str = ""
    # Served over HTTPS (usually behind a TLS proxy): secure cookies, HSTS, the proxy SSL header.
    https: bool = False
    # Sign-in throttling: failures per account or per address before a lock, and its length.
    login_failure_limit: int = 5
    login_lockout_minutes: int = 15
    # Students whose enrolments all ended more than this many years ago are erased by
    # `tandem student purge-expired`; None (the default) keeps records until asked.
    retention_years: int | None = None
    # A student's session ends after this many minutes without a request (shared devices).
    student_idle_minutes: int = 30
    # Leaders' pages and exports show no figure for a group of fewer students than this.
    small_cell: int = 10
    leader_figures_max_age_minutes: int = 15
    # PostgreSQL: bind parameters on the server and prepare the statements a connection runs
    # often, so PostgreSQL plans each practice query once per connection. Off behind a pooler
    # that hands one connection to several clients per transaction (PgBouncer's transaction
    # mode before 1.21), which cannot keep prepared statements.
    postgres_prepared: bool = True

    @classmethod
    def from_environment(cls) -> Options:
        data_dir = Path(os.environ.get("TANDEM_DATA_DIR", Path.cwd() / "var")).resolve()
        default_db = f"sqlite:///{data_dir / 'tandem.sqlite3'}"
        debug = _env_bool("TANDEM_DEBUG", False)
        secret = os.environ.get("TANDEM_SECRET_KEY") or _secret_from_file(data_dir)
        return cls(
            data_dir=data_dir,
            database_url=os.environ.get("DATABASE_URL", default_db),
            secret_key=secret,
            debug=debug,
            allowed_hosts=_env_list("TANDEM_ALLOWED_HOSTS", ["127.0.0.1", "localhost", "[::1]"]),
            csrf_trusted_origins=_env_list("TANDEM_CSRF_TRUSTED_ORIGINS", []),
            unseen_days=_env_positive_int("TANDEM_UNSEEN_DAYS", 7),
            stuck_attempts=_env_positive_int("TANDEM_STUCK_ATTEMPTS", 8),
            checkin_days=_env_positive_int("TANDEM_CHECKIN_DAYS", 14),
            time_zone=os.environ.get("TANDEM_TIME_ZONE", "UTC"),
            lti_embed=_env_bool("TANDEM_LTI_EMBED", False),
            site_url=os.environ.get("TANDEM_SITE_URL", "").strip().rstrip("/"),
            s3_bucket=os.environ.get("TANDEM_S3_BUCKET", "").strip(),
            s3_endpoint_url=os.environ.get("TANDEM_S3_ENDPOINT_URL", "").strip(),
            s3_region=os.environ.get("TANDEM_S3_REGION", "").strip(),
            https=_env_bool("TANDEM_HTTPS", False),
            login_failure_limit=_env_positive_int("TANDEM_LOGIN_FAILURE_LIMIT", 5),
            login_lockout_minutes=_env_positive_int("TANDEM_LOGIN_LOCKOUT_MINUTES", 15),
            retention_years=_env_optional_positive_int("TANDEM_RETENTION_YEARS"),
            student_idle_minutes=_env_positive_int("TANDEM_STUDENT_IDLE_MINUTES", 30),
            small_cell=_env_positive_int("TANDEM_SMALL_CELL", 10),
            leader_figures_max_age_minutes=_env_positive_int(
                "TANDEM_LEADER_FIGURES_MAX_AGE_MINUTES", 15
            ),
            postgres_prepared=_env_bool("TANDEM_POSTGRES_PREPARED", True),
        )

    def file_storage(self) -> dict[str, object]:
        """Django's ``STORAGES["default"]``: the data directory, or the S3-compatible bucket
        (django-storages, installed with ``pip install 'tandem[s3]'``). Files stay private:
        no public ACL, and links to them are signed and expire."""
        if not self.s3_bucket:
            return {"BACKEND": "django.core.files.storage.FileSystemStorage"}
        options: dict[str, object] = {
            "bucket_name": self.s3_bucket,
            "default_acl": None,
            "querystring_auth": True,
            "file_overwrite": False,
        }
        if self.s3_endpoint_url:
            options["endpoint_url"] = self.s3_endpoint_url
        if self.s3_region:
            options["region_name"] = self.s3_region
        return {"BACKEND": "storages.backends.s3.S3Storage", "OPTIONS": options}


def _env_positive_int(name: str, default: int) -> int:
    raw = os.environ.get(name, "").strip()
    if not raw:
        return default
    try:
        value = int(raw)
    except ValueError:
        value = 0
    if value <= 0:
        raise ValueError(f"{name} must be a whole number above 0, not {raw!r}")
    return value


def _env_optional_positive_int(name: str) -> int | None:
    """A whole number above 0, or None when the variable is unset, empty or "off"."""
    raw = os.environ.get(name, "").strip()
    if raw.lower() in {"", "off", "none", "0"}:
        return None
    return _env_positive_int(name, 1)


def _secret_from_file(data_dir: Path) -> str:
    """A per-installation random key kept in the data directory, so no default key ever ships."""
    import secrets

    path = data_dir / "secret_key"
    if path.exists():
        return path.read_text().strip()
    data_dir.mkdir(parents=True, exist_ok=True)
    key = secrets.token_urlsafe(50)
    path.write_text(key)
    path.chmod(0o600)
    return key
