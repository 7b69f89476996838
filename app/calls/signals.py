"""Signals of call changes, sent inside the transaction of the change.

`call_changed` (sender=call, action=..., viewer=Viewer, signup=CallSignup|None): receivers add rows
(outbox notifications) to db.session and they commit together with the change. On "publish" the
people called are already in call_recipients (select them with `recipients_of(call)`).
"""
from blinker import Namespace

_signals = Namespace()

call_changed = _signals.signal("call-changed")
