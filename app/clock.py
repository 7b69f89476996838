"""The one source of the current time, controllable in tests."""
from datetime import datetime, timedelta, timezone

_frozen: datetime | None = None


def now() -> datetime:
    """Current time in UTC (aware)."""
    return _frozen if _frozen is not None else datetime.now(timezone.utc)


def freeze(at: datetime | None) -> None:
    """Fix the clock at a moment (None returns to real time)."""
    global _frozen
    if at is not None and at.tzinfo is None:
        at = at.replace(tzinfo=timezone.utc)
    _frozen = at


def frozen_at() -> datetime | None:
    """Where the clock is frozen (None: real time), to put it back after moving it."""
    return _frozen


def advance(**kwargs) -> datetime:
    """Move a frozen clock forward by a timedelta's keyword arguments."""
    freeze(now() + timedelta(**kwargs))
    return now()
