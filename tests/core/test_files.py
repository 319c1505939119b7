"""Storage files: the requests are those of @liveblocks/node (file_requests.mjs), small and in
parts; the dev server (which implements them) stores what we upload, byte for byte, reachable
through the download link, and Node and we read each other's files; the fake keeps them."""

from __future__ import annotations

import json
import re
import subprocess
from pathlib import Path
from typing import Any

import httpx
import pytest

from liveblocks_auth import Liveblocks, LiveblocksError, StorageFile
from liveblocks_auth.api._upload import PART_SIZE
from liveblocks_auth.testing import DevServer, FakeLiveblocks
from tests.conftest import NODE_MODULES
from tests.core.harness import SECRET
from tests.recording import (
    Seen,
    async_client_agrees,
    differential,
    recorder_fixture,
    refused_before_sending,
)

ROOM = "room 1/é"
FILE = {"id": "fl_1", "name": "notes (1) é.txt", "size": 4, "mimeType": "text/plain"}


def _answer(method: str, path: str) -> tuple[int, str, bytes]:
    tail = path.rsplit("/", 1)[-1]
    if "/multipart/" in path and method == "POST" and tail != "complete":
        return 200, "application/json", b'{"uploadId": "up 1", "fileId": "x"}'
    if "/multipart/" in path and method == "PUT":
        return (
            200,
            "application/json",
            json.dumps({"partNumber": int(tail), "etag": f"e{tail}"}).encode(),
        )
    if method == "GET":
        with_url = {
            **FILE,
            "url": "https://cdn.example.com/fl_1",
            "expiresAt": "2026-12-08T01:00:00.000Z",
        }
        return 200, "application/json", json.dumps(with_url).encode()
    return 200, "application/json", json.dumps(FILE).encode()


recorder = recorder_fixture(_answer)
_RANDOM_ID = re.compile(r"fl_[0-9A-Za-z_-]{21}")


def same(seen: Seen) -> Seen:
    blanked = [(m, _RANDOM_ID.sub("fl_X", path), kind, body) for m, path, kind, body in seen]
    parts = [i for i, (m, path, _, _) in enumerate(blanked) if m == "PUT" and "/multipart/" in path]
    for i, part in zip(parts, sorted((blanked[i] for i in parts), key=lambda r: r[1]), strict=True):
        blanked[i] = part
    return blanked


@pytest.mark.realstack
def test_requests_and_parsed_answers_are_those_of_the_node_sdk(recorder: tuple[str, Seen]) -> None:
    def calls(lb: Liveblocks) -> list[StorageFile]:
        return [
            lb.upload_file(ROOM, bytes([104, 105, 0, 255]), name="notes (1) é.txt"),
            lb.get_file_url(ROOM, "fl_1"),
        ]

    theirs, node, ours = differential("file_requests.mjs", recorder, calls, same=same)
    assert theirs[0][:3] == (
        "PUT",
        "/v2/rooms/room%201%2F%C3%A9/storage/files/fl_X/upload/notes%20(1)%20%C3%A9.txt?fileSize=4",
        "application/octet-stream",
    )
    assert theirs[1][:2] == ("GET", "/v2/rooms/room%201%2F%C3%A9/storage/files/fl_1")
    assert ours[0].raw == node[0]
    assert (ours[1].url, ours[1].raw["expiresAt"]) == (node[1]["url"], node[1]["expiresAt"])


@pytest.mark.realstack
def test_a_large_file_goes_in_parts_as_node_sends_them(
    recorder: tuple[str, Seen], tmp_path: Path
) -> None:
    big = tmp_path / "big (1).bin"
    big.write_bytes(bytes(i % 253 for i in range(PART_SIZE + 7)))
    theirs, node, ours = differential(
        "file_requests.mjs",
        recorder,
        lambda lb: [lb.upload_file(ROOM, big)],
        args=("--big",),
        same=same,
    )
    base = "/v2/rooms/room%201%2F%C3%A9/storage/files/fl_X/multipart"
    assert [(m, p) for m, p, _, _ in theirs] == [
        ("POST", f"{base}/big%20(1).bin?fileSize={PART_SIZE + 7}"),
        ("PUT", f"{base}/up%201/1"),
        ("PUT", f"{base}/up%201/2"),
        ("POST", f"{base}/up%201/complete"),
    ]
    assert theirs[3][3] == {
        "parts": [{"partNumber": 1, "etag": "e1"}, {"partNumber": 2, "etag": "e2"}]
    }
    assert [f.raw for f in ours] == node


def test_the_async_client_sends_the_same(recorder: tuple[str, Seen]) -> None:
    async_client_agrees(
        recorder,
        lambda lb: [lb.upload_file(ROOM, b"x", name="a.txt").id, lb.get_file_url(ROOM, "fl_1").url],
        same,
    )


@pytest.mark.realstack
def test_the_dev_server_stores_our_files_and_node_s_byte_for_byte(
    dev_server: DevServer, tmp_path: Path
) -> None:
    small = bytes(range(256)) * 3
    large = tmp_path / "large.bin"
    large.write_bytes(bytes((i * 7) % 256 for i in range(PART_SIZE * 2 + 11)))
    with Liveblocks(dev_server.secret, base_url=dev_server.base_url) as lb:
        lb.get_or_create_room("files-room", default_accesses=["room:write"])
        try:
            one = lb.upload_file("files-room", small, name="small.bin")
            two = lb.upload_file("files-room", large)
            assert (one.size, two.size, two.name) == (len(small), PART_SIZE * 2 + 11, "large.bin")
            for uploaded, content in ((one, small), (two, large.read_bytes())):
                link = lb.get_file_url("files-room", uploaded)
                assert link.expires_at is not None
                assert httpx.get(link.url or "", timeout=30).content == content
            # Node uploads a file; we read it. (Node reads ours: its getFileUrl of our id.)
            theirs = tmp_path / "from node.txt"
            theirs.write_bytes(b"written by @liveblocks/node")
            done = subprocess.run(
                ["node", "file_requests.mjs", "--base-url", dev_server.base_url, "--dev-server",
                 "--room", "files-room", "--upload", str(theirs)],
                cwd=NODE_MODULES.parent, capture_output=True, text=True, timeout=60, check=True,
            )  # fmt: skip
            node_file = json.loads(done.stdout)
            ours_of_theirs = lb.get_file_url("files-room", node_file["id"])
            assert ours_of_theirs.name == "from node.txt"
            assert httpx.get(ours_of_theirs.url or "", timeout=30).content == theirs.read_bytes()
            assert httpx.get(node_file["url"], timeout=30).content == theirs.read_bytes()
        finally:
            lb.delete_room("files-room")


def test_the_fake_keeps_storage_files(fake: FakeLiveblocks) -> None:
    fake.add_room("r")
    content = bytes(PART_SIZE + 1)
    with Liveblocks(SECRET, transport=fake) as lb:
        stored = lb.upload_file("r", content, name="data.csv")
        assert (stored.name, stored.size, stored.mime_type) == (
            "data.csv",
            PART_SIZE + 1,
            "text/csv",
        )
        assert fake.file_content("r", stored.id) == content
        assert lb.get_file_url("r", stored.id).url
        with pytest.raises(LiveblocksError) as missing:
            lb.get_file_url("r", "fl_nope")
        assert (missing.value.status, missing.value.code) == (404, "FILE_NOT_FOUND")


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda lb: lb.upload_file("r", b"x"), "name is required with bytes"),
        (lambda lb: lb.upload_file("r", "x.txt"), "a str is ambiguous"),
        (lambda lb: lb.upload_file("r", b"x", name=".."), "name must be a file name"),
        (lambda lb: lb.get_file_url("r", ".."), "file"),
    ],
)
def test_bad_arguments_are_refused_before_anything_is_sent(
    fake: FakeLiveblocks, call: Any, message: str
) -> None:
    refused_before_sending(fake, call, message)
