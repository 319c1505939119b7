"""The secret key, held so that it cannot leak through repr, str, logs or tracebacks."""

from __future__ import annotations

import hmac
import os
import re
from typing import Any, Final, NoReturn, cast

_VALID_KEY_CHARS: Final = re.compile(r"[A-Za-z0-9_-]+")


class Secret:
    """A Liveblocks secret key whose ``repr``/``str`` never show the key.

    The value is only read by :meth:`reveal`, at the moment the Authorization header is built.
    """

    __slots__ = ("__value",)
    #: What ``repr`` and ``str`` show instead of the value.
    masked = "sk_***"

    def __init__(self, value: str) -> None:
        self.__value = value

    def reveal(self) -> str:
        return self.__value

    @property
    def is_localdev(self) -> bool:
        return self.__value == "sk_localdev"

    def __repr__(self) -> str:
        return f"{type(self).__name__}('{self.masked}')"

    __str__ = __repr__

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Secret) and hmac.compare_digest(
            other.__value.encode(), self.__value.encode()
        )

    def __hash__(self) -> int:
        return hash(self.__value)

    def __reduce__(self) -> NoReturn:
        raise TypeError("a Liveblocks secret key cannot be pickled")


def hold_secret(value: object, kind: type[Secret] | None = None) -> Any:
    """``value`` in a :class:`Secret` (``kind``: a subclass), surrounding whitespace stripped
    (secret files and Kubernetes secrets end in a newline); None for None or blank text; any
    other object as it is.

    Every function that takes a secret rebinds its argument to this first: a frame that then
    raises (an error tracker or Django's error report records every frame's locals) holds
    the masked holder, never the text."""
    if isinstance(value, Secret):
        return value
    if isinstance(value, str):
        stripped = value.strip()
        return (kind or Secret)(stripped) if stripped else None
    return value


def _key_problem(held: object, setting: str) -> str | None:
    # Reads the key only inside expressions: no local of this frame holds it in the clear.
    if not isinstance(held, Secret):
        return (
            f"{setting} is missing: set it to the secret key (sk_...) from "
            "https://liveblocks.io/dashboard/apikeys, or to sk_localdev for the dev server"
        )
    if not held.reveal().startswith("sk_"):
        return (
            f"{setting} is not a Liveblocks secret key: secret keys start with 'sk_' "
            "(a public key pk_... cannot issue tokens); copy the secret key from "
            "https://liveblocks.io/dashboard/apikeys"
        )
    if not _VALID_KEY_CHARS.fullmatch(held.reveal()):
        return (
            f"{setting} contains characters a secret key cannot have (only A-Z a-z 0-9 _ -): "
            "check that it was copied whole, without quotes"
        )
    return None


def validate_secret(value: object, setting: str = "secret") -> Secret:
    """Check a secret key the way ``@liveblocks/node`` does, naming ``setting`` on error.

    Surrounding whitespace is stripped (a key read from a file ends in a newline). The error
    message never contains the value, and neither does any frame of the traceback.
    """
    value = hold_secret(value)
    problem = _key_problem(value, setting)
    if problem is not None:
        raise ValueError(problem)
    return cast(Secret, value)


def secret_from_setting(value: object, setting: str, env: str = "LIVEBLOCKS_SECRET_KEY") -> Secret:
    """The secret from a setting (named ``setting`` in errors), else from ``$env``."""
    value = hold_secret(value)
    if value is None:
        value = hold_secret(os.environ.get(env))
        if value is None:
            raise ValueError(
                f"no Liveblocks secret key: {setting} is not set, and neither is ${env} in the "
                "environment; set one to the secret key (sk_...) from "
                "https://liveblocks.io/dashboard/apikeys, or to sk_localdev (with "
                "LIVEBLOCKS_BASE_URL=http://127.0.0.1:1153) for the dev server"
            )
        setting = f"${env}"  # the value checked below came from there
    return validate_secret(value, setting)
