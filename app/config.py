"""Configuration from the environment: development, testing and production."""
import os
from pathlib import Path

import orjson

BASE_DIR = Path(__file__).resolve().parent.parent
INSTANCE_DIR = Path(os.environ.get("INSTANCE_PATH", BASE_DIR / "instance"))
DEFAULT_SECRET = "dev-only-secret-do-not-use-in-production"


def _bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


class Config:
    """Development defaults; every value can be overridden from the environment."""

    APP_ENV = "development"
    SECRET_KEY = os.environ.get("SECRET_KEY", DEFAULT_SECRET)
    SQLALCHEMY_DATABASE_URI = os.environ.get(
        "DATABASE_URL", f"sqlite:///{INSTANCE_DIR / 'sqwd.db'}"
    )
    # orjson reads the JSON columns (photos, tags, event data) about five times faster than json.
    SQLALCHEMY_ENGINE_OPTIONS: dict = {"pool_pre_ping": True, "json_deserializer": orjson.loads}
    # A streaming replica for figures, reports, exports and the Party register (app/replica.py); unreachable or
    # lagging more than REPLICA_MAX_LAG_SECONDS: those read from the primary. Checked every REPLICA_CHECK_SECONDS.
    DATABASE_REPLICA_URL = os.environ.get("DATABASE_REPLICA_URL") or None
    REPLICA_MAX_LAG_SECONDS = float(os.environ.get("REPLICA_MAX_LAG_SECONDS", 30))
    REPLICA_CHECK_SECONDS = float(os.environ.get("REPLICA_CHECK_SECONDS", 5))
    TOKEN_TTL_SECONDS = int(os.environ.get("TOKEN_TTL_SECONDS", 7 * 24 * 3600))
    REDIS_URL = os.environ.get("REDIS_URL") or None

    WECHAT_APP_ID = os.environ.get("WECHAT_APP_ID") or None
    WECHAT_APP_SECRET = os.environ.get("WECHAT_APP_SECRET") or None
    WECHAT_API_BASE_URL = os.environ.get("WECHAT_API_BASE_URL", "https://api.weixin.qq.com/")
    WECHAT_TIMEOUT = float(os.environ.get("WECHAT_TIMEOUT", 5))
    WECHAT_MINIPROGRAM_STATE = os.environ.get("WECHAT_MINIPROGRAM_STATE", "formal")
    # Subscribe-message template ids, one per kind of notification.
    WECHAT_TEMPLATE_DISPATCHED = os.environ.get("WECHAT_TEMPLATE_DISPATCHED", "")
    WECHAT_TEMPLATE_ACCEPTED = os.environ.get("WECHAT_TEMPLATE_ACCEPTED", "")
    WECHAT_TEMPLATE_COMPLETED = os.environ.get("WECHAT_TEMPLATE_COMPLETED", "")
    WECHAT_TEMPLATE_REMINDER = os.environ.get("WECHAT_TEMPLATE_REMINDER", "")
    WECHAT_TEMPLATE_FOLLOWED_UP = os.environ.get("WECHAT_TEMPLATE_FOLLOWED_UP", "")
    WECHAT_TEMPLATE_CALL = os.environ.get("WECHAT_TEMPLATE_CALL", "")

    # How many reverse proxies in front of the app append to X-Forwarded-For (and set X-Forwarded-Proto):
    # the client address (rate limits, logs, console tickets) is read from exactly that many hops, and a
    # header a client sent itself is never believed. 0: the address of the TCP peer.
    TRUSTED_PROXY_HOPS = int(os.environ.get("TRUSTED_PROXY_HOPS", 0))

    UPLOAD_DIR = os.environ.get("UPLOAD_DIR", str(INSTANCE_DIR / "uploads"))
    MAX_CONTENT_LENGTH = 6 * 1024 * 1024
    MAX_JSON_LENGTH = 1024 * 1024
    MAX_ATTACHMENT_BYTES = 5 * 1024 * 1024

    RATELIMIT_ENABLED = _bool("RATELIMIT_ENABLED", True)
    RATELIMIT_STORAGE_URI = os.environ.get("REDIS_URL") or "memory://"
    RATELIMIT_HEADERS_ENABLED = True
    # Redis away for a moment (a restart): the route limits let requests through, logged, rather than answer 500
    # (app/ratelimits.py does the same for the limits it counts itself).
    RATELIMIT_SWALLOW_ERRORS = True
    RATELIMIT_LOGIN = os.environ.get("RATELIMIT_LOGIN", "30 per minute")
    RATELIMIT_ORDER_CREATE = os.environ.get("RATELIMIT_ORDER_CREATE", "20 per minute")
    RATELIMIT_ORDER_CREATE_STAFF = os.environ.get("RATELIMIT_ORDER_CREATE_STAFF", "300 per minute")
    # Abuse limits (DESIGN §8): console QR tickets per client address, team-join attempts (invite codes are
    # guessed otherwise) and uploads per user, and how much a user may keep stored.
    RATELIMIT_CONSOLE_TICKET = os.environ.get("RATELIMIT_CONSOLE_TICKET", "10 per minute")
    RATELIMIT_TEAM_JOIN = os.environ.get("RATELIMIT_TEAM_JOIN", "10 per hour")
    RATELIMIT_UPLOAD = os.environ.get("RATELIMIT_UPLOAD", "30 per hour")
    UPLOAD_QUOTA_MB = float(os.environ.get("UPLOAD_QUOTA_MB", 100))
    # Uploads nothing refers to (no order, no reward) after this many hours are deleted by the worker.
    UPLOAD_ORPHAN_HOURS = float(os.environ.get("UPLOAD_ORPHAN_HOURS", 24))

    # Dev-mode login (`dev:<openid>`) is on when no WeChat app is configured, outside production;
    # create_app sets it from WECHAT_APP_ID (ProductionConfig refuses to start if it is asked for).
    DEV_LOGIN = WECHAT_APP_ID is None

    API_TITLE = "社区五单 API"
    API_VERSION = "v1"
    OPENAPI_VERSION = "3.0.3"
    OPENAPI_URL_PREFIX = "/api/v1"
    OPENAPI_JSON_PATH = "openapi.json"
    OPENAPI_SWAGGER_UI_PATH = "/docs"
    OPENAPI_SWAGGER_UI_URL = "/api/v1/docs/static/"
    API_SPEC_OPTIONS = {
        "components": {
            "securitySchemes": {"bearerAuth": {"type": "http", "scheme": "bearer", "bearerFormat": "JWT"}}
        },
        "security": [{"bearerAuth": []}],
        "info": {"description": "社区五单（亮单、点单、派单、接单、评单）服务接口。"},
    }

    # Supervision defaults (hours), overridable per area.
    DISPATCH_LIMIT_HOURS = float(os.environ.get("DISPATCH_LIMIT_HOURS", 4))
    ACCEPT_LIMIT_HOURS = float(os.environ.get("ACCEPT_LIMIT_HOURS", 8))
    AUTO_CLOSE_DAYS = int(os.environ.get("AUTO_CLOSE_DAYS", 7))
    # The ladder's steps, as fractions of a stage's limit: remind near it, escalate at it, again past it.
    SUPERVISION_REMIND_AT = float(os.environ.get("SUPERVISION_REMIND_AT", 0.75))
    SUPERVISION_SECOND_ESCALATION_AT = float(os.environ.get("SUPERVISION_SECOND_ESCALATION_AT", 1.5))

    # `flask worker`: supervision passes and notification delivery.
    WORKER_INTERVAL_SECONDS = float(os.environ.get("WORKER_INTERVAL_SECONDS", 15))
    NOTIFY_BATCH_SIZE = int(os.environ.get("NOTIFY_BATCH_SIZE", 50))
    NOTIFY_LEASE_SECONDS = int(os.environ.get("NOTIFY_LEASE_SECONDS", 60))
    NOTIFY_MAX_ATTEMPTS = int(os.environ.get("NOTIFY_MAX_ATTEMPTS", 8))
    NOTIFY_RETRY_BASE_SECONDS = int(os.environ.get("NOTIFY_RETRY_BASE_SECONDS", 60))
    NOTIFY_RETRY_MAX_SECONDS = int(os.environ.get("NOTIFY_RETRY_MAX_SECONDS", 3600))
    # Delivered and failed outbox rows are deleted after this many days (the in-app messages stay).
    NOTIFY_KEEP_DAYS = int(os.environ.get("NOTIFY_KEEP_DAYS", 30))
    # Contact name, phone and address of orders final for longer are blanked by `flask worker` (0: never).
    PII_RETENTION_DAYS = int(os.environ.get("PII_RETENTION_DAYS", 180))
    PRUNE_EVERY_HOURS = float(os.environ.get("PRUNE_EVERY_HOURS", 24))  # how often `flask worker` prunes

    # Points (积分): a bonus on top of the category's points for a rating of 4 or 5 stars.
    POINTS_GOOD_RATING_BONUS = int(os.environ.get("POINTS_GOOD_RATING_BONUS", 5))

    # 志愿服务记录证明: a CJK TrueType font to embed (default: the first of Debian's found, fonts-wqy-microhei
    # first), where the public verification page is reached (the QR code's address; default: the address the
    # request came to), and how many certificates a volunteer may have issued.
    CERTIFICATE_FONT = os.environ.get("CERTIFICATE_FONT") or None
    PUBLIC_BASE_URL = os.environ.get("PUBLIC_BASE_URL") or None
    RATELIMIT_CERTIFICATE = os.environ.get("RATELIMIT_CERTIFICATE", "20 per day")


class TestConfig(Config):
    """Isolated settings for the test suite."""

    APP_ENV = "testing"
    TESTING = True
    SECRET_KEY = "test-secret-for-the-suite-only-0123456789"
    SQLALCHEMY_DATABASE_URI = os.environ.get("TEST_DATABASE_URL", "sqlite://")
    DATABASE_REPLICA_URL = None
    WECHAT_APP_ID = None
    WECHAT_APP_SECRET = None
    RATELIMIT_ENABLED = False
    RATELIMIT_STORAGE_URI = "memory://"
    REDIS_URL = None


def longest_wechat_send(config: dict) -> float:
    """How long one subscribe message's send may take, at worst: a token fetch, the send, one token refresh and
    the send again (app/wechat), each up to WECHAT_TIMEOUT, and a few seconds for Redis and the database. The
    worker's lease on a notification (NOTIFY_LEASE_SECONDS) must outlast it (app/notifications/delivery.py)."""
    return 4 * float(config.get("WECHAT_TIMEOUT") or 5) + 5


class ProductionConfig(Config):
    """Production: refuses to start with a default secret or dev-mode login."""

    APP_ENV = "production"
    DEV_LOGIN = False

    @classmethod
    def validate(cls, config: dict) -> None:
        problems = []
        if not config.get("SECRET_KEY") or config["SECRET_KEY"] in {DEFAULT_SECRET, TestConfig.SECRET_KEY} \
                or len(config["SECRET_KEY"]) < 32:
            problems.append("SECRET_KEY must be set to a random value of at least 32 characters")
        if not config.get("WECHAT_APP_ID") or not config.get("WECHAT_APP_SECRET"):
            problems.append("WECHAT_APP_ID and WECHAT_APP_SECRET are required")
        if config.get("DEV_LOGIN"):
            problems.append("dev-mode login cannot be enabled in production")
        lease, longest = int(config.get("NOTIFY_LEASE_SECONDS") or 0), longest_wechat_send(config)
        if lease <= longest:
            problems.append(f"NOTIFY_LEASE_SECONDS ({lease}) must be longer than a subscribe message's send can take "
                            f"({longest:g} s from WECHAT_TIMEOUT), or a second worker sends it again meanwhile")
        if problems:
            raise RuntimeError("Refusing to start in production: " + "; ".join(problems))


CONFIGS = {"development": Config, "testing": TestConfig, "production": ProductionConfig}
