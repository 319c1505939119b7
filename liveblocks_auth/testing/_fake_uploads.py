"""The fake's uploads: comment attachments and storage files, each uploaded in one request or
in parts (a multipart upload: started, its parts, completed or aborted), kept per room with
their bytes, and read back with a download link."""

from __future__ import annotations

import mimetypes
from collections.abc import Callable
from functools import partialmethod
from typing import Any

import httpx

from ._fake_base import _error, _json, _not_found, _require

__all__ = ["UPLOAD_ROUTES", "UploadsFake"]

_Call = Any  # a RecordedCall
#: What each kind of upload is called in paths, errors and answers.
_KINDS = {"attachment": "ATTACHMENT_NOT_FOUND", "file": "FILE_NOT_FOUND"}


class UploadsFake:
    """The fake's part for uploads (mixed into ``FakeLiveblocks``)."""

    rooms: dict[str, dict[str, Any]]
    _new_id: Callable[[str], str]

    def _init_uploads(self) -> None:
        #: Each room's attachments by id: their answer and ``"content"`` (the bytes uploaded).
        self.attachments: dict[str, dict[str, dict[str, Any]]] = {}
        #: Each room's storage files by id, kept as the attachments are.
        self.storage_files: dict[str, dict[str, dict[str, Any]]] = {}
        self._uploads: dict[str, dict[str, Any]] = {}

    def _reset_uploads(self) -> None:
        self.attachments.clear()
        self.storage_files.clear()
        self._uploads.clear()

    def attachment_content(self, room_id: str, attachment_id: str) -> bytes:
        """The bytes uploaded as ``attachment_id`` in ``room_id``."""
        content: bytes = self.attachments[room_id][attachment_id]["content"]
        return content

    def file_content(self, room_id: str, file_id: str) -> bytes:
        """The bytes stored as the storage file ``file_id`` of ``room_id``."""
        content: bytes = self.storage_files[room_id][file_id]["content"]
        return content

    def _kept(self, kind: str) -> dict[str, dict[str, dict[str, Any]]]:
        return self.attachments if kind == "attachment" else self.storage_files

    def _keep(
        self, kind: str, room_id: str, upload_id: str, name: str, content: bytes
    ) -> httpx.Response:
        answer = {
            **({"type": "attachment"} if kind == "attachment" else {}),
            "id": upload_id,
            "mimeType": mimetypes.guess_type(name)[0] or "application/octet-stream",
            "name": name,
            "size": len(content),
        }
        self._kept(kind).setdefault(room_id, {})[upload_id] = {"answer": answer, "content": content}
        return _json(200, answer)

    def _get_uploaded(
        self, call: _Call, room_id: str, upload_id: str, *, kind: str
    ) -> httpx.Response:
        if room_id not in self.rooms:
            return _not_found(room_id)
        found = self._kept(kind).get(room_id, {}).get(upload_id)
        if found is None:
            return _error(404, _KINDS[kind], f'{kind.title()} with id "{upload_id}" not found.')
        url = f"https://fake.liveblocks.io/{kind}s/{upload_id}?expires=3600"
        expires = "2099-01-01T00:00:00.000Z"  # (the fake's links never expire)
        return _json(200, {**found["answer"], "url": url, "expiresAt": expires})

    def _needs_user(self, call: _Call, kind: str) -> None:
        if kind == "attachment":  # an attachment belongs to a user; a storage file does not
            _require(call.params.get("userId", "") != "", "Query parameter 'userId': Required")

    def _upload_single(
        self, call: _Call, room_id: str, upload_id: str, name: str, *, kind: str
    ) -> httpx.Response:
        if room_id not in self.rooms:
            return _not_found(room_id)
        self._needs_user(call, kind)
        _require(
            call.params.get("fileSize") == str(len(call.content)),
            "Query parameter 'fileSize': does not match the body",
        )
        return self._keep(kind, room_id, upload_id, name, call.content)

    def _start_upload(
        self, call: _Call, room_id: str, upload_id: str, name: str, *, kind: str
    ) -> httpx.Response:
        if room_id not in self.rooms:
            return _not_found(room_id)
        size = call.params.get("fileSize", "")
        _require(size.isdigit(), "Query parameter 'fileSize': Required")
        multipart = self._new_id("up")
        self._uploads[multipart] = {
            "kind": kind,
            "room": room_id,
            "id": upload_id,
            "name": name,
            "size": int(size),
            "parts": {},
        }
        return _json(200, {"uploadId": multipart, "key": f"{room_id}/{upload_id}"})

    def _multipart(self, multipart: str, room_id: str, upload_id: str, kind: str) -> dict[str, Any]:
        upload = self._uploads.get(multipart)
        _require(
            upload is not None
            and (upload["kind"], upload["room"], upload["id"]) == (kind, room_id, upload_id),
            f"Unknown upload {multipart!r}",
        )
        assert upload is not None
        return upload

    def _upload_part(
        self, call: _Call, room_id: str, upload_id: str, multipart: str, number: str, *, kind: str
    ) -> httpx.Response:
        upload = self._multipart(multipart, room_id, upload_id, kind)
        _require(number.isdigit() and int(number) >= 1, "Part numbers start at 1")
        upload["parts"][int(number)] = call.content
        return _json(200, {"partNumber": int(number), "etag": f"etag-{multipart}-{number}"})

    def _complete_upload(
        self, call: _Call, room_id: str, upload_id: str, multipart: str, *, kind: str
    ) -> httpx.Response:
        upload = self._multipart(multipart, room_id, upload_id, kind)
        self._needs_user(call, kind)
        parts = call.json.get("parts") if isinstance(call.json, dict) else None
        numbers = sorted(upload["parts"])
        _require(
            isinstance(parts, list) and [p.get("partNumber") for p in parts] == numbers,
            "Value at key 'parts': must list every uploaded part, in order",
        )
        content = b"".join(upload["parts"][n] for n in numbers)
        _require(len(content) == upload["size"], "The parts do not add up to fileSize")
        del self._uploads[multipart]
        return self._keep(kind, room_id, upload_id, upload["name"], content)

    def _abort_upload(
        self, call: _Call, room_id: str, upload_id: str, multipart: str, *, kind: str
    ) -> httpx.Response:
        self._multipart(multipart, room_id, upload_id, kind)
        del self._uploads[multipart]
        return httpx.Response(204)


def _routes(kind: str, base: str) -> dict[tuple[str, str], Callable[..., httpx.Response]]:
    def bound(handler: Callable[..., httpx.Response]) -> Callable[..., httpx.Response]:
        return partialmethod(handler, kind=kind).__get__(None, UploadsFake)

    return {
        ("GET", base): bound(UploadsFake._get_uploaded),
        ("PUT", base + "/upload/([^/]+)"): bound(UploadsFake._upload_single),
        ("POST", base + "/multipart/([^/]+)"): bound(UploadsFake._start_upload),
        ("PUT", base + "/multipart/([^/]+)/([^/]+)"): bound(UploadsFake._upload_part),
        ("POST", base + "/multipart/([^/]+)/complete"): bound(UploadsFake._complete_upload),
        ("DELETE", base + "/multipart/([^/]+)"): bound(UploadsFake._abort_upload),
    }


UPLOAD_ROUTES = _routes("attachment", r"/v2/rooms/([^/]+)/attachments/([^/]+)") | _routes(
    "file", r"/v2/rooms/([^/]+)/storage/files/([^/]+)"
)
