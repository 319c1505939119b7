"""Uploads to a room, as ``@liveblocks/node`` makes them (comment attachments, storage files):
one request up to 5 MiB, beyond it a multipart upload whose 5 MiB parts are read from the file
one at a time (never the whole file in memory), aborted when it fails."""

from __future__ import annotations

import os
import secrets
from collections.abc import Iterator, Mapping
from contextlib import ExitStack
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import IO, Any, Self

from liveblocks_auth._protocol import ApiRequest
from liveblocks_auth.errors import LiveblocksError

from ._operation import Operation, ok_json, parse_time, path_segment

__all__ = ["PART_SIZE", "Source", "UploadedFile", "new_id", "upload"]

#: The size of an upload's parts; files up to it go in one request (the Node SDK's value).
PART_SIZE = 5 * 1024 * 1024
_ID_ALPHABET = "useandom-26T198340PX75pxJACKVERYMINDBUSHWOLF_GQZbfghjklqvwyzrict"


@dataclass(frozen=True, slots=True)
class UploadedFile:
    """A file uploaded to a room: ``id``, ``name``, ``mime_type``, ``size``, and a download
    ``url`` valid until ``expires_at`` when it was read (not when it was uploaded). ``raw``:
    the answer's JSON."""

    id: str
    name: str
    mime_type: str
    size: int
    url: str | None = None
    expires_at: datetime | None = None
    raw: dict[str, Any] = field(default_factory=dict, repr=False, compare=False)

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> Self:
        return cls(
            id=str(data["id"]),
            name=str(data.get("name")),
            mime_type=str(data.get("mimeType")),
            size=int(data.get("size") or 0),
            url=data.get("url"),
            expires_at=parse_time(data.get("expiresAt")),
            raw=dict(data),
        )


#: What can be uploaded: bytes (with a name), a binary file, or a path.
Source = bytes | bytearray | memoryview | os.PathLike[str] | IO[bytes]


def new_id(prefix: str) -> str:
    """A new id chosen by the client, ``prefix_`` and 21 random URL-safe characters (as Node's
    nanoid): ``at`` for attachments, ``fl`` for storage files."""
    return f"{prefix}_" + "".join(secrets.choice(_ID_ALPHABET) for _ in range(21))


def _opened(file: Source, name: str | None, stack: ExitStack) -> tuple[str, int, IO[bytes] | bytes]:
    """``(name, size, bytes or a binary file at the upload's start)``."""
    if isinstance(file, bytes | bytearray | memoryview):
        if name is None:
            raise ValueError("name is required with bytes: the file name Liveblocks shows")
        return name, len(file), bytes(file)
    if isinstance(file, str):
        raise ValueError(
            "file must be bytes, a binary file or a pathlib.Path; a str is ambiguous "
            "(pass Path(...) for a file on disk, or text.encode() with name=)"
        )
    if isinstance(file, os.PathLike):
        path = Path(file)
        if not path.is_file():
            raise ValueError(f"file {str(path)!r} is not a readable file")
        handle = stack.enter_context(path.open("rb"))
        return name or path.name, os.fstat(handle.fileno()).st_size, handle
    if not hasattr(file, "read") or not hasattr(file, "seek"):
        raise ValueError(f"file must be bytes, a binary file or a Path, not {type(file).__name__}")
    start = file.tell()
    size = file.seek(0, os.SEEK_END) - start
    file.seek(start)
    if name is None:
        name = os.path.basename(str(getattr(file, "name", "") or ""))
        if not name:
            raise ValueError("name is required: this file object has no name")
    return name, size, file


def _parts(content: IO[bytes] | bytes, size: int) -> Iterator[tuple[int, bytes]]:
    """``(part number, bytes)`` of each part, each read when it is about to be sent."""
    for number, offset in enumerate(range(0, size, PART_SIZE), start=1):
        if isinstance(content, bytes):
            yield number, content[offset : offset + PART_SIZE]
        else:
            chunk = content.read(min(PART_SIZE, size - offset))
            if len(chunk) != min(PART_SIZE, size - offset):
                raise ValueError("the file got shorter while it was being uploaded")
            yield number, chunk


def upload(
    base: str,
    file: Source,
    name: str | None,
    *,
    single: Mapping[str, str],
    complete: Mapping[str, str],
    complete_again: bool,
) -> Operation[Any]:
    """Upload ``file`` under ``base`` (``/v2/rooms/{id}/attachments/{at_id}``...): ``single``
    are the parameters of a one-request upload beside ``fileSize``, ``complete`` those of a
    multipart upload's completion, sent again after a lost answer when ``complete_again``.
    The answer's JSON."""
    with ExitStack() as stack:
        name, size, content = _opened(file, name, stack)
        if not isinstance(name, str) or not name or name in (".", ".."):
            raise ValueError("name must be a file name, as report.pdf")
        encoded = path_segment(name, "name")
        if size <= PART_SIZE:
            body = content if isinstance(content, bytes) else content.read(size)
            params = {"fileSize": str(size), **single}
            request = ApiRequest("PUT", f"{base}/upload/{encoded}", params=params, content=body)
            return ok_json((yield request))
        created = ok_json(
            (
                yield ApiRequest(
                    "POST",
                    f"{base}/multipart/{encoded}",
                    params={"fileSize": str(size)},
                    idempotent=True,  # a second upload id would be left unused, nothing else
                )
            )
        )
        upload_id = path_segment(str(created.get("uploadId", "")), "uploadId")
        try:
            parts = []
            for number, chunk in _parts(content, size):
                path = f"{base}/multipart/{upload_id}/{number}"
                parts.append(ok_json((yield ApiRequest("PUT", path, content=chunk))))
            done = ApiRequest(
                "POST",
                f"{base}/multipart/{upload_id}/complete",
                {"parts": parts},
                params=dict(complete),
                idempotent=complete_again,
            )
            return ok_json((yield done))
        except (LiveblocksError, ValueError):
            yield ApiRequest("DELETE", f"{base}/multipart/{upload_id}")  # best effort
            raise
