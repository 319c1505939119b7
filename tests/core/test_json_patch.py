"""patch_storage_document and JSON Patch on storage documents: RFC 6902's own examples and
Live nodes applied by the fake (and by apply_patch, which the CLI's dry run uses), operations
checked before anything is sent, the request the official Python SDK sends, never sent twice.
The dev server answers 501 for this route (checked here, so that the day it implements it, a
test says so)."""

from __future__ import annotations

from typing import Any

import pytest

from liveblocks_auth import Liveblocks, LiveblocksError
from liveblocks_auth.json_patch import (
    JsonPatchError,
    apply_patch,
    check_operations,
    to_json,
    to_lson,
)
from liveblocks_auth.testing import DevServer, FakeLiveblocks
from tests.core.harness import SECRET
from tests.recording import Seen, never_sent_twice, recorder_fixture, refused_before_sending

# RFC 6902, appendix A (A.13, a document with a duplicate key, is not JSON a dict can hold).
RFC_EXAMPLES: list[tuple[str, dict[str, Any], list[dict[str, Any]], dict[str, Any] | None]] = [
    (
        "A.1",
        {"foo": "bar"},
        [{"op": "add", "path": "/baz", "value": "qux"}],
        {"baz": "qux", "foo": "bar"},
    ),
    (
        "A.2",
        {"foo": ["bar", "baz"]},
        [{"op": "add", "path": "/foo/1", "value": "qux"}],
        {"foo": ["bar", "qux", "baz"]},
    ),
    ("A.3", {"baz": "qux", "foo": "bar"}, [{"op": "remove", "path": "/baz"}], {"foo": "bar"}),
    (
        "A.4",
        {"foo": ["bar", "qux", "baz"]},
        [{"op": "remove", "path": "/foo/1"}],
        {"foo": ["bar", "baz"]},
    ),
    (
        "A.5",
        {"baz": "qux", "foo": "bar"},
        [{"op": "replace", "path": "/baz", "value": "boo"}],
        {"baz": "boo", "foo": "bar"},
    ),
    (
        "A.6",
        {"foo": {"bar": "baz", "waldo": "fred"}, "qux": {"corge": "grault"}},
        [{"op": "move", "from": "/foo/waldo", "path": "/qux/thud"}],
        {"foo": {"bar": "baz"}, "qux": {"corge": "grault", "thud": "fred"}},
    ),
    (
        "A.7",
        {"foo": ["all", "grass", "cows", "eat"]},
        [{"op": "move", "from": "/foo/1", "path": "/foo/3"}],
        {"foo": ["all", "cows", "eat", "grass"]},
    ),
    (
        "A.8",
        {"baz": "qux", "foo": ["a", 2, "c"]},
        [
            {"op": "test", "path": "/baz", "value": "qux"},
            {"op": "test", "path": "/foo/1", "value": 2},
        ],
        {"baz": "qux", "foo": ["a", 2, "c"]},
    ),
    ("A.9", {"baz": "qux"}, [{"op": "test", "path": "/baz", "value": "bar"}], None),
    (
        "A.10",
        {"foo": "bar"},
        [{"op": "add", "path": "/child", "value": {"grandchild": {}}}],
        {"foo": "bar", "child": {"grandchild": {}}},
    ),
    (
        "A.11",
        {"foo": "bar"},
        [{"op": "add", "path": "/baz", "value": "qux", "xyz": 123}],
        {"foo": "bar", "baz": "qux"},
    ),
    ("A.12", {"foo": "bar"}, [{"op": "add", "path": "/baz/bat", "value": "qux"}], None),
    ("A.14", {"/": 9, "~1": 10}, [{"op": "test", "path": "/~01", "value": 10}], {"/": 9, "~1": 10}),
    ("A.15", {"/": 9, "~1": 10}, [{"op": "test", "path": "/~01", "value": "10"}], None),
    (
        "A.16",
        {"foo": ["bar"]},
        [{"op": "add", "path": "/foo/-", "value": ["abc", "def"]}],
        {"foo": ["bar", ["abc", "def"]]},
    ),
]


@pytest.mark.parametrize(("name", "document", "patch", "expected"), RFC_EXAMPLES)
def test_rfc_6902_examples_in_the_fake(
    fake: FakeLiveblocks, name: str, document: Any, patch: Any, expected: Any
) -> None:
    fake.add_room("r", storage=to_lson(document))
    with Liveblocks(SECRET, transport=fake) as lb:
        if expected is None:
            with pytest.raises(LiveblocksError) as refused:
                lb.patch_storage_document("r", patch)
            assert refused.value.status == 422
            expected = document  # all or nothing
        else:
            assert lb.patch_storage_document("r", patch) is None
        assert lb.get_storage_document("r", "json") == expected
    assert fake.calls[0].method == "PATCH"
    assert fake.calls[0].json == [{k: v for k, v in op.items() if k != "xyz"} for op in patch]


LIVE = {
    "liveblocksType": "LiveObject",
    "data": {
        "title": "Roadmap",
        "version": 1,
        "settings": {"theme": "dark"},  # a plain JSON value, not a Live node
        "owners": {
            "liveblocksType": "LiveMap",
            "data": {"alice": {"liveblocksType": "LiveObject", "data": {"role": "admin"}}},
        },
        "tasks": {
            "liveblocksType": "LiveList",
            "data": [{"liveblocksType": "LiveObject", "data": {"done": False}}],
        },
    },
}


def test_patches_go_through_live_objects_maps_and_lists() -> None:
    patched = apply_patch(
        LIVE,
        [
            {"op": "test", "path": "/version", "value": 1},
            {"op": "replace", "path": "/version", "value": 2},
            {"op": "add", "path": "/owners/bob", "value": {"role": "editor"}},
            {"op": "replace", "path": "/tasks/0/done", "value": True},
            {"op": "add", "path": "/tasks/-", "value": {"done": False, "tags": ["new"]}},
            {"op": "copy", "from": "/title", "path": "/subtitle"},
        ],
    )
    data = patched["data"]
    assert data["version"] == 2
    assert data["owners"]["data"]["bob"] == {
        "liveblocksType": "LiveObject",
        "data": {"role": "editor"},
    }
    assert data["tasks"]["data"][1] == {
        "liveblocksType": "LiveObject",
        "data": {"done": False, "tags": {"liveblocksType": "LiveList", "data": ["new"]}},
    }
    assert to_json(patched)["tasks"] == [{"done": True}, {"done": False, "tags": ["new"]}]
    assert data["subtitle"] == "Roadmap"
    assert LIVE["data"]["version"] == 1  # the document given is never changed


@pytest.mark.parametrize(
    ("patch", "message"),
    [
        (
            [{"op": "add", "path": "/settings/font", "value": "x"}],
            "/settings/font is not a LiveObject, LiveMap or LiveList",
        ),
        ([{"op": "remove", "path": "/missing"}], "/missing does not exist"),
        ([{"op": "replace", "path": "/tasks/5", "value": 1}], "list has 1 items"),
        ([{"op": "add", "path": "/tasks/7", "value": 1}], "is not an index of the list"),
        ([{"op": "move", "from": "/owners", "path": "/owners/x"}], "cannot move into itself"),
        ([{"op": "add", "path": "", "value": {}}], "root of the document"),
        ([{"op": "test", "path": "/version", "value": True}], "test failed"),
        (
            [
                {"op": "replace", "path": "/version", "value": 2},
                {"op": "test", "path": "/x", "value": 1},
            ],
            "operation 1: /x does not exist",
        ),
    ],
)
def test_operations_that_cannot_apply_name_themselves(patch: Any, message: str) -> None:
    with pytest.raises(JsonPatchError, match=message):
        apply_patch(LIVE, patch)


@pytest.mark.parametrize(
    ("operations", "message"),
    [
        ({"op": "add"}, "must be a list of JSON Patch operations"),
        ([], "operations is empty"),
        ([{"op": "append", "path": "/a"}], "must have an op: one of add, remove"),
        ([{"op": "add", "path": "/a"}], "an add operation needs 'value'"),
        ([{"op": "move", "path": "/a"}], "a move operation needs 'from'"),
        ([{"op": "remove", "path": "a"}], "must start with /"),
        ([{"op": "remove", "path": "/a~2"}], "~ is written ~0"),
        ([{"op": "add", "path": "/a", "value": float("nan")}], "not a JSON number"),
        ([{"op": "add", "path": "/a", "value": {1: "x"}}], "keys are strings"),
        ([{"op": "add", "path": "/a", "value": {"b": {1, 2}}}], r"\['b'\] must be JSON"),
    ],
)
def test_bad_operations_are_refused_before_anything_is_sent(
    fake: FakeLiveblocks, operations: Any, message: str
) -> None:
    refused_before_sending(fake, lambda lb: lb.patch_storage_document("r", operations), message)


def test_a_patch_is_never_sent_twice(fake: FakeLiveblocks) -> None:
    fake.add_room("r")
    never_sent_twice(
        fake, lambda lb: lb.patch_storage_document("r", [{"op": "add", "path": "/a", "value": 1}])
    )


recorder = recorder_fixture(lambda method, path: (200, "application/json", b""))


@pytest.mark.official_sdk
def test_the_request_is_the_official_python_sdk_s(recorder: tuple[str, Seen]) -> None:
    from liveblocks import Liveblocks as Official
    from liveblocks.models import AddJsonPatchOperation, MoveJsonPatchOperation

    patch = [
        {"op": "add", "path": "/tasks/-", "value": {"title": "é", "done": False}},
        {"op": "move", "from": "/a~1b", "path": "/c"},
    ]
    base_url, seen = recorder
    with Official(secret="sk_localdev", base_url=base_url) as official:
        official.patch_storage_document(
            "room 1/é",
            body=[
                AddJsonPatchOperation.from_dict(patch[0]),
                MoveJsonPatchOperation.from_dict(patch[1]),
            ],
        )
    theirs = [(method, path, body) for method, path, _, body in seen]
    seen.clear()
    with Liveblocks("sk_localdev", base_url=base_url) as lb:
        lb.patch_storage_document("room 1/é", patch)
    assert [(method, path, body) for method, path, _, body in seen] == theirs
    assert theirs[0][:2] == ("PATCH", "/v2/rooms/room%201%2F%C3%A9/storage/json-patch")
    assert check_operations(patch) == theirs[0][2]


@pytest.mark.realstack
def test_the_dev_server_does_not_implement_the_route(dev_server: DevServer) -> None:
    with Liveblocks(dev_server.secret, base_url=dev_server.base_url) as lb:
        lb.create_room("json-patch-probe", default_accesses=["room:write"])
        try:
            with pytest.raises(LiveblocksError) as refused:
                lb.patch_storage_document(
                    "json-patch-probe", [{"op": "add", "path": "/a", "value": 1}]
                )
        finally:
            lb.delete_room("json-patch-probe")
    assert refused.value.status == 501


def test_the_docs_migration_migrates_skips_and_resumes(
    fake: FakeLiveblocks, capsys: pytest.CaptureFixture[str]
) -> None:
    from tests.readme import DOCS, readme_block, run_block

    page = DOCS / "room-data.md"
    namespace: dict[str, Any] = {}
    run_block(readme_block("storage-migration", page), namespace, page)
    for room, version in (("a", 1), ("b", 2), ("c", 1)):
        fake.add_room(room, storage=to_lson({"version": version}))
    with Liveblocks(SECRET, transport=fake) as lb:
        order = [room.id for room in lb.list_rooms()]
        namespace["migrate"](lb)
        first = capsys.readouterr().out.splitlines()
        namespace["migrate"](lb, resume_after=order[1])
        resumed = capsys.readouterr().out.splitlines()
    assert sorted(first) == ["left as it was b", "migrated a", "migrated c"]
    assert resumed == [f"left as it was {order[2]}"]  # the rest, all migrated already
    assert [to_json(fake.storage[room])["version"] for room in "abc"] == [2, 2, 2]
