"""Files attached to comments: read one (with a download link) and upload one, in a single
request up to 5 MiB and in 5 MiB parts beyond, read from the file one part at a time, as
``@liveblocks/node`` uploads them."""

from __future__ import annotations

from liveblocks_auth._protocol import ApiRequest, check_user_id

from ._operation import Operation, ok_json, path_segment, room_path
from ._upload import PART_SIZE, Source, new_id, upload
from .comments import CommentAttachment

__all__ = ["PART_SIZE", "get_attachment", "upload_attachment"]


def _attachment_id() -> str:
    """A new attachment id, ``at_`` and 21 random URL-safe characters (as Node's nanoid)."""
    return new_id("at")


def get_attachment(room_id: str, attachment_id: str) -> Operation[CommentAttachment]:
    """An attachment's name, type and size, with a download ``url`` valid until
    ``expires_at``."""
    path = f"{room_path(room_id)}/attachments/{path_segment(attachment_id, 'attachment_id')}"
    return CommentAttachment.from_json(ok_json((yield ApiRequest("GET", path))))


def upload_attachment(
    room_id: str, *, user_id: str, file: Source, name: str | None = None
) -> Operation[CommentAttachment]:
    """Upload ``file`` (bytes with ``name``, a binary file, or a ``pathlib.Path``) as an
    attachment of ``user_id`` in the room; pass its ``id`` in ``attachment_ids`` when creating
    a comment. Large files are read and sent one 5 MiB part at a time; a failed multipart
    upload is aborted."""
    check_user_id(user_id)
    base = f"{room_path(room_id)}/attachments/{_attachment_id()}"
    answer = yield from upload(
        base,
        file,
        name,
        single={"userId": user_id},
        complete={"userId": user_id},
        complete_again=False,  # as Node: an attachment's completion is not sent twice
    )
    return CommentAttachment.from_json(answer)
