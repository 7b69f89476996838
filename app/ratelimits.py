"""Limits a rule counts itself (per user, per kind of action), on the limiter's shared storage (Redis when set).

Route-level limits per client address use flask-limiter's decorator; these are the ones a service function
applies once it knows who is acting. Either way a refusal is 429 `rate_limited` with `Retry-After`.

When the shared storage cannot be reached (Redis restarting), a limit lets the request through with a log line
instead of failing it (flask-limiter's RATELIMIT_SWALLOW_ERRORS for the route limits, the same here): Redis holds
nothing that cannot be lost (docs/deploy.md §5), and a limit unenforced for a moment is better than a 500.
"""
import logging
import math
import time

from flask import current_app
from limits import parse

from app.errors import RateLimited
from app.extensions import limiter

log = logging.getLogger(__name__)


def enforce(setting: str, scope: str, key: str, message: str) -> None:
    """Count one more `scope` action for `key` under the limit the setting names; 429 when it is used up."""
    if not current_app.config["RATELIMIT_ENABLED"]:
        return
    item = parse(current_app.config[setting])
    try:
        allowed = limiter.limiter.hit(item, scope, key)
    except limiter.storage.base_exceptions:
        log.warning("rate limit %s not counted: its storage is unreachable; letting the request through", scope,
                    exc_info=True)
        return
    if not allowed:
        reset_at, _remaining = limiter.limiter.get_window_stats(item, scope, key)
        raise RateLimited(message, retry_after=max(1, math.ceil(reset_at - time.time())))
