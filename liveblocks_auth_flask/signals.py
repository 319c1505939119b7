"""Blinker signals, sent with the app as sender. For auditing, ``token_issued``/``token_denied``
carry ``user`` (a LiveblocksUser or None), ``room`` and ``status``; ``webhook_received`` carries
``event``, a verified liveblocks_auth.WebhookEvent (a receiver that raises makes the webhook
endpoint answer 500, so Liveblocks delivers the event again)::

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
#: A verified Liveblocks webhook event arrived.
webhook_received = _signals.signal("liveblocks-webhook-received")
