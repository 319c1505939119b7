"""Signals for auditing: sent with ``user`` (a LiveblocksUser or None), ``room``, ``status``
and ``request`` after every answer of the auth endpoint."""

from __future__ import annotations

from django.dispatch import Signal

#: A token was issued (status 200).
token_issued = Signal()
#: The request was refused or failed (any other status).
token_denied = Signal()
