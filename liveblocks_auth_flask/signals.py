"""Blinker signals for auditing, sent with the app as sender and ``user`` (a LiveblocksUser or
None), ``room`` and ``status``::

    @token_denied.connect_via(app)
    def audit(app, user, room, status, **extra): ...
"""

from __future__ import annotations

from blinker import Namespace

_signals = Namespace()

#: A token was issued (status 200).
token_issued = _signals.signal("liveblocks-token-issued")
#: The request was refused or failed (any other status).
token_denied = _signals.signal("liveblocks-token-denied")
