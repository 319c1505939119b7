"""The secret key, held so that it cannot leak through repr, str, logs or tracebacks."""

from __future__ import annotations

import os
import re
from typing import Final, NoReturn

_VALID_KEY_CHARS: Final = re.compile(r"[A-Za-z0-9_-]+")


class Secret:
    """A Liveblocks secret key whose ``repr``/``str`` never show the key.

    The value is only read by :meth:`reveal`, at the moment the Authorization header is built.
    """

    __slots__ = ("__value",)

    def __init__(self, value: str) -> None:
        self.__value = value

    def reveal(self) -> str:
        return self.__value

    @property
    def is_localdev(self) -> bool:
        return self.__value == "sk_localdev"

    def __repr__(self) -> str:
        return "Secret('sk_***')"

    __str__ = __repr__

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Secret) and other.__value == self.__value

    def __hash__(self) -> int:
        return hash(self.__value)

    def __reduce__(self) -> NoReturn:
        raise TypeError("a Liveblocks secret key cannot be pickled")


def validate_secret(value: object, setting: str = "secret") -> Secret:
    """Check a secret key the way ``@liveblocks/node`` does, naming ``setting`` on error.

    The error message never contains the value.
    """
    if isinstance(value, Secret):
        return value
    if not isinstance(value, str) or not value:
        raise ValueError(
            f"{setting} is missing: set it to the secret key (sk_...) from "
            "https://liveblocks.io/dashboard/apikeys, or to sk_localdev for the dev server"
        )
    if not value.startswith("sk_"):
        raise ValueError(
            f"{setting} is not a Liveblocks secret key: secret keys start with 'sk_' "
            "(a public key pk_... cannot issue tokens); copy the secret key from "
            "https://liveblocks.io/dashboard/apikeys"
        )
    if not _VALID_KEY_CHARS.fullmatch(value):
        raise ValueError(
            f"{setting} contains characters a secret key cannot have (only A-Z a-z 0-9 _ -): "
            "check that it was copied whole, without quotes or whitespace"
        )
    return Secret(value)


def secret_from_setting(value: object, setting: str, env: str = "LIVEBLOCKS_SECRET_KEY") -> Secret:
    """The secret from a setting (named ``setting`` in errors), else from ``$env``."""
    if value is None:
        value = os.environ.get(env)
        setting = f"{setting} (or ${env})"
    return validate_secret(value, setting)
