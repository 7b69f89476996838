"""Signals sent inside an order change's transaction, before it commits.

Receivers (points, notifications) add their rows to the same session, so a change, its event
and what it causes are committed together or not at all.
"""
from blinker import Namespace

_signals = Namespace()

# sender: the Order; kwargs: event (OrderEvent), viewer (Viewer | None)
order_changed = _signals.signal("order-changed")
