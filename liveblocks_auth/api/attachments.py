"""Files attached to comments: read one (with a download link) and upload one, in a single
request up to 5 MiB and in 5 MiB parts beyond, read from the file one part at a time, as
``@liveblocks/node`` uploads them."""

from __future__ import annotations

import os
import secrets
from collections.abc import Iterator
from contextlib import ExitStack
from pathlib import Path
from typing import IO

from liveblocks_auth._protocol import ApiRequest, check_user_id
from liveblocks_auth.errors import LiveblocksError

from ._operation import Operation, ok_json, path_segment, room_path
from .comments import CommentAttachment

__all__ = ["PART_SIZE", "get_attachment", "upload_attachment"]

#: The size of an upload's parts; files up to it go in one request (the Node SDK's value).
PART_SIZE = 5 * 1024 * 1024
_ID_ALPHABET = "useandom-26T198340PX75pxJACKVERYMINDBUSHWOLF_GQZbfghjklqvwyzrict"


def _attachment_id() -> str:
    """A new attachment id, ``at_`` and 21 random URL-safe characters (as Node's nanoid)."""
    return "at_" + "".join(secrets.choice(_ID_ALPHABET) for _ in range(21))


def get_attachment(room_id: str, attachment_id: str) -> Operation[CommentAttachment]:
    """An attachment's name, type and size, with a download ``url`` valid until
    ``expires_at``."""
    path = f"{room_path(room_id)}/attachments/{path_segment(attachment_id, 'attachment_id')}"
    return CommentAttachment.from_json(ok_json((yield ApiRequest("GET", path))))


Source = bytes | bytearray | memoryview | os.PathLike[str] | IO[bytes]


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


def upload_attachment(
    room_id: str, *, user_id: str, file: Source, name: str | None = None
) -> Operation[CommentAttachment]:
    """Upload ``file`` (bytes with ``name``, a binary file, or a ``pathlib.Path``) as an
    attachment of ``user_id`` in the room; pass its ``id`` in ``attachment_ids`` when creating
    a comment. Large files are read and sent one 5 MiB part at a time; a failed multipart
    upload is aborted."""
    check_user_id(user_id)
    with ExitStack() as stack:
        name, size, content = _opened(file, name, stack)
        if not isinstance(name, str) or not name or name in (".", ".."):
            raise ValueError("name must be a file name, as report.pdf")
        base = f"{room_path(room_id)}/attachments/{_attachment_id()}"
        encoded = path_segment(name, "name")
        if size <= PART_SIZE:
            body = content if isinstance(content, bytes) else content.read(size)
            request = ApiRequest(
                "PUT",
                f"{base}/upload/{encoded}",
                params={"fileSize": str(size), "userId": user_id},
                content=body,
            )
            return CommentAttachment.from_json(ok_json((yield request)))
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
        upload = path_segment(str(created.get("uploadId", "")), "uploadId")
        try:
            parts = []
            for number, chunk in _parts(content, size):
                path = f"{base}/multipart/{upload}/{number}"
                parts.append(ok_json((yield ApiRequest("PUT", path, content=chunk))))
            complete = ApiRequest(
                "POST",
                f"{base}/multipart/{upload}/complete",
                {"parts": parts},
                params={"userId": user_id},
                idempotent=False,
            )
            return CommentAttachment.from_json(ok_json((yield complete)))
        except (LiveblocksError, ValueError):
            yield ApiRequest("DELETE", f"{base}/multipart/{upload}")  # best effort
            raise
