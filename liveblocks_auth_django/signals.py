"""Signals. ``token_issued``/``token_denied``, for auditing, are sent with ``user`` (a
LiveblocksUser or None), ``room``, ``status`` and ``request`` after every answer of the auth
endpoint. ``webhook_received`` is sent with ``event`` (a verified liveblocks_auth.WebhookEvent)
and ``request`` for every authentic delivery to the webhook endpoint."""

from __future__ import annotations

from django.dispatch import Signal

#: A token was issued (status 200).
token_issued = Signal()
#: The request was refused or failed (any other status).
token_denied = Signal()
#: A verified Liveblocks webhook event arrived. A receiver that raises makes the endpoint
#: answer 500, so Liveblocks delivers the event again later.
webhook_received = Signal()
