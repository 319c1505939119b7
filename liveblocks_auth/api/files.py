"""Files stored with a room (what a ``LiveFile`` in its storage points to): upload one, in a
single request up to 5 MiB and in 5 MiB parts beyond, read from the file one part at a time,
and get a download link, as ``@liveblocks/node``'s ``uploadFile`` and ``getFileUrl`` do."""

from __future__ import annotations

from dataclasses import dataclass

from liveblocks_auth._protocol import ApiRequest

from ._operation import Operation, ok_json, path_segment, room_path
from ._upload import Source, UploadedFile, new_id, upload

__all__ = ["StorageFile", "get_file_url", "upload_file"]


@dataclass(frozen=True, slots=True)
class StorageFile(UploadedFile):
    """A file stored with a room (``url`` and ``expires_at``: a download link, present when
    read with ``get_file_url``)."""


def _file_id() -> str:
    """A new storage file id, ``fl_`` and 21 random URL-safe characters (as Node's nanoid)."""
    return new_id("fl")


def upload_file(room_id: str, file: Source, *, name: str | None = None) -> Operation[StorageFile]:
    """Store ``file`` (bytes with ``name``, a binary file, or a ``pathlib.Path``) with the
    room; its ``id`` is what a ``LiveFile`` in the room's storage refers to. Large files are
    read and sent one 5 MiB part at a time; a failed multipart upload is aborted, and its
    completion is sent again after a lost answer (as Node does for storage files)."""
    base = f"{room_path(room_id)}/storage/files/{_file_id()}"
    answer = yield from upload(base, file, name, single={}, complete={}, complete_again=True)
    return StorageFile.from_json(answer)


def get_file_url(room_id: str, file: str | StorageFile) -> Operation[StorageFile]:
    """The stored file (by id, or as ``upload_file`` returned it) with a download ``url``
    valid until ``expires_at``."""
    file_id = file.id if isinstance(file, StorageFile) else file
    path = f"{room_path(room_id)}/storage/files/{path_segment(file_id, 'file')}"
    return StorageFile.from_json(ok_json((yield ApiRequest("GET", path))))
