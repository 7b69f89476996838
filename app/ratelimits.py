"""Limits a rule counts itself (per user, per kind of action), on the limiter's shared storage (Redis when set).

Route-level limits per client address use flask-limiter's decorator; these are the ones a service function
applies once it knows who is acting. Either way a refusal is 429 `rate_limited` with `Retry-After`.
"""
import math
import time

from flask import current_app
from limits import parse

from app.errors import RateLimited
from app.extensions import limiter


def enforce(setting: str, scope: str, key: str, message: str) -> None:
    """Count one more `scope` action for `key` under the limit the setting names; 429 when it is used up."""
    if not current_app.config["RATELIMIT_ENABLED"]:
        return
    item = parse(current_app.config[setting])
    if not limiter.limiter.hit(item, scope, key):
        reset_at, _remaining = limiter.limiter.get_window_stats(item, scope, key)
        raise RateLimited(message, retry_after=max(1, math.ceil(reset_at - time.time())))
