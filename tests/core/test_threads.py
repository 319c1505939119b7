"""Threads, comments, reactions, subscriptions and attachments: the requests are those of
@liveblocks/node (thread_requests.mjs), answers read as Node and the official Python SDK read
them, thread queries written as Node's objectToQuery writes them, arguments checked before
anything is sent, posts never sent twice, and the fake keeps threads."""

from __future__ import annotations

import dataclasses
import io
import json
import re
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import pytest

from liveblocks_auth import (
    Comment,
    CommentAttachment,
    Liveblocks,
    LiveblocksError,
    Subscription,
    Thread,
    comment_body_from_text,
)
from liveblocks_auth.api import attachments
from liveblocks_auth.api.attachments import PART_SIZE
from liveblocks_auth.testing import FakeLiveblocks, Fault
from tests.core.harness import SECRET
from tests.recording import (
    Seen,
    async_client_agrees,
    differential,
    never_sent_twice,
    recorder_fixture,
    refused_before_sending,
)

REALSTACK = Path(__file__).resolve().parents[1] / "realstack"
ROOM = "room 1/é"
BODY: dict[str, Any] = {
    "version": 1,
    "content": [
        {
            "type": "paragraph",
            "children": [
                {"text": "Hello "},
                {"type": "mention", "id": "bob@example.com", "kind": "user"},
                {"text": " see", "bold": True},
                {"type": "link", "url": "https://example.com", "text": "this"},
            ],
        }
    ],
}
AT = datetime(2024, 1, 15, 10, 30, 0, 123456, tzinfo=UTC)
REACTION = {"emoji": "👍", "userId": "alice", "createdAt": "2024-01-15T10:31:00.000Z"}
COMMENT = {
    "type": "comment",
    "threadId": "th_1",
    "roomId": ROOM,
    "id": "cm_1",
    "userId": "alice",
    "createdAt": "2024-01-15T10:30:00.000Z",
    "editedAt": "2024-01-15T10:40:00.500Z",
    "body": BODY,
    "metadata": {"n": 1},
    "reactions": [REACTION],
    "attachments": [
        {"type": "attachment", "id": "at_1", "mimeType": "image/png", "name": "a.png", "size": 12}
    ],
    "futureCommentField": [1],
}
DELETED = {
    **{k: v for k, v in COMMENT.items() if k not in ("body", "editedAt", "futureCommentField")},
    "id": "cm_2",
    "deletedAt": "2024-01-16T00:00:00.000Z",
    "reactions": [],
    "attachments": [],
}
THREAD = {
    "type": "thread",
    "id": "th_1",
    "roomId": ROOM,
    "comments": [COMMENT, DELETED],
    "createdAt": "2024-01-15T10:30:00.000Z",
    "updatedAt": "2024-01-16T00:00:00.000Z",
    "metadata": {"status": "open", "priority": 2},
    "resolved": False,
    "visibility": "public",
    "futureThreadField": {"x": True},
}
THREAD_NOTIFICATION = {
    "id": "in_1",
    "kind": "thread",
    "threadId": "th_1",
    "roomId": ROOM,
    "readAt": None,
    "notifiedAt": "2024-01-15T10:30:00.000Z",
    "userId": "bob",
    "organizationId": "acme",
}
SUBSCRIPTION = {"kind": "thread", "subjectId": "th_1", "createdAt": "2024-01-15T10:30:00.000Z"}
ATTACHMENT = {
    "type": "attachment",
    "id": "at_1",
    "mimeType": "application/pdf",
    "name": "report (final) é.pdf",
    "size": 4,
    "url": "https://cdn.example.com/at_1?X-Amz-Expires=3600",
    "expiresAt": "2024-01-15T11:30:00.000Z",
}


def _answer(method: str, path: str) -> tuple[int, str, bytes]:
    def ok(data: Any) -> tuple[int, str, bytes]:
        return 200, "application/json", json.dumps(data).encode()

    tail = path.rsplit("/", 1)[-1]
    if tail == "read":
        return 200, "application/json", b""
    if tail == "inbox-notifications":
        return ok({"data": [THREAD_NOTIFICATION]})
    if method == "DELETE" or tail in ("unsubscribe", "remove-reaction"):
        return 204, "application/json", b""
    if "/attachments/" in path:
        if "/multipart/" in path and method == "POST" and tail != "complete":
            return ok({"uploadId": "up 1", "key": "k"})
        if "/multipart/" in path and method == "PUT":
            return ok({"partNumber": int(tail), "etag": f"etag-{tail}"})
        if method == "GET":
            return ok(ATTACHMENT)
        return ok({k: v for k, v in ATTACHMENT.items() if k not in ("url", "expiresAt")})
    if tail == "threads" and method == "GET":
        return ok({"data": [THREAD]})
    if tail == "participants":
        return ok({"participantIds": ["alice", "bob@example.com"]})
    if tail == "subscriptions":
        return ok({"data": [{**SUBSCRIPTION, "userId": "alice"}]})
    if tail == "subscribe":
        return ok(SUBSCRIPTION)
    if tail == "metadata":
        return ok({"status": "closed"})
    if tail == "add-reaction":
        return ok(REACTION)
    if "/comments" in path:
        return ok(COMMENT)
    return ok(THREAD)


recorder = recorder_fixture(_answer)
_RANDOM_ID = re.compile(r"at_[0-9A-Za-z_-]{21}")


def same(seen: Seen) -> Seen:
    """The requests with the upload's random attachment id blanked out, and the parts of a
    multipart upload in order (Node sends up to 5 at once)."""
    blanked = [(m, _RANDOM_ID.sub("at_X", path), kind, body) for m, path, kind, body in seen]
    parts = [i for i, (m, path, _, _) in enumerate(blanked) if m == "PUT" and "/multipart/" in path]
    for i, part in zip(parts, sorted((blanked[i] for i in parts), key=lambda r: r[1]), strict=True):
        blanked[i] = part
    return blanked


def our_calls(lb: Liveblocks) -> list[Any]:
    """The calls of tests/realstack/thread_requests.mjs, with our client."""
    query = {
        "resolved": True,
        "visibility": "private",
        "metadata": {
            "status": "open",
            "pinned": False,
            "priority": 3,
            "org": {"startsWith": "acme:"},
        },
    }
    return [
        lb.get_threads(ROOM),
        lb.get_threads(ROOM, query="resolved:false"),
        lb.get_threads(ROOM, query=query),
        lb.get_thread(ROOM, "th_1"),
        lb.get_thread_participants(ROOM, "th_1"),
        lb.get_thread_subscriptions(ROOM, "th_1"),
        lb.create_thread(ROOM, user_id="alice@example.com", body=BODY),
        lb.create_thread(
            ROOM,
            user_id="alice",
            body=BODY,
            metadata={"status": "open", "priority": 2, "pinned": True},
            visibility="private",
            comment_metadata={"source": "bot"},
            attachment_ids=["at_1"],
            created_at=AT,
        ),
        lb.delete_thread(ROOM, "th_1"),
        lb.edit_thread_metadata(
            ROOM, "th_1", metadata={"status": "closed", "old": None}, user_id="alice", updated_at=AT
        ),
        lb.mark_thread_as_resolved(ROOM, "th_1", user_id="alice"),
        lb.mark_thread_as_unresolved(ROOM, "th_1", user_id="alice"),
        lb.subscribe_to_thread(ROOM, "th_1", user_id="alice"),
        lb.unsubscribe_from_thread(ROOM, "th_1", user_id="alice"),
        lb.get_comment(ROOM, "th_1", "cm_1"),
        lb.create_comment(ROOM, "th_1", user_id="alice", body=BODY),
        lb.create_comment(
            ROOM,
            "th_1",
            user_id="bob",
            body=BODY,
            created_at=AT.astimezone(timezone(timedelta(hours=-5))),
            attachment_ids=["at_1", "at_2"],
            metadata={"n": 1},
        ),
        lb.edit_comment(ROOM, "th_1", "cm_1", body=BODY),
        lb.edit_comment(
            ROOM,
            "th_1",
            "cm_1",
            body=BODY,
            edited_at=AT,
            attachment_ids=[],
            metadata={"n": None, "flag": True},
        ),
        lb.delete_comment(ROOM, "th_1", "cm_1"),
        lb.edit_comment_metadata(ROOM, "th_1", "cm_1", metadata={"n": 2}, user_id="alice"),
        lb.add_comment_reaction(ROOM, "th_1", "cm_1", emoji="👍", user_id="alice", created_at=AT),
        lb.remove_comment_reaction(ROOM, "th_1", "cm_1", emoji="👍", user_id="alice"),
        lb.get_attachment(ROOM, "at_1"),
        lb.upload_attachment(
            ROOM, user_id="alice", file=bytes([1, 2, 3, 250]), name="report (final) é.pdf"
        ),
    ]


def _iso(value: datetime | None) -> str | None:
    if value is None:
        return None
    return value.isoformat(timespec="milliseconds").replace("+00:00", "Z")


def _comment_as_node(comment: Comment) -> dict[str, Any]:
    """Our comment as Node's parse prints it (JSON.stringify of CommentData)."""
    node = {**comment.raw, "createdAt": _iso(comment.created_at)}
    node["reactions"] = [{**r.raw, "createdAt": _iso(r.created_at)} for r in comment.reactions]
    if comment.edited_at is not None:
        node["editedAt"] = _iso(comment.edited_at)
    if comment.body is None:
        node["deletedAt"] = _iso(comment.deleted_at)
    return node


def _thread_as_node(thread: Thread) -> dict[str, Any]:
    return {
        **thread.raw,
        "createdAt": _iso(thread.created_at),
        "updatedAt": _iso(thread.updated_at),
        "comments": [_comment_as_node(c) for c in thread.comments],
    }


def _subscription_as_node(subscription: Subscription) -> dict[str, Any]:
    return {**subscription.raw, "createdAt": _iso(subscription.created_at)}


@pytest.mark.realstack
def test_requests_and_parsed_answers_are_those_of_the_node_sdk(
    recorder: tuple[str, Seen],
) -> None:
    theirs, node, ours = differential("thread_requests.mjs", recorder, our_calls, same=same)
    assert len(theirs) == 25
    paths = [path for _, path, _, _ in theirs]
    assert "/v2/rooms/room%201%2F%C3%A9/threads?query=resolved%3Afalse" in paths
    query = "resolved:true visibility:'private' metadata['status']:'open' "
    query += "metadata['pinned']:false metadata['priority']:3 metadata['org']^'acme:'"
    assert "/v2/rooms/room%201%2F%C3%A9/threads?" + urlencode({"query": query}) in paths
    upload = [r for r in theirs if "/upload/" in r[1]]
    assert upload == [
        (
            "PUT",
            "/v2/rooms/room%201%2F%C3%A9/attachments/at_X/upload/report%20(final)%20%C3%A9.pdf"
            "?fileSize=4&userId=alice",
            "application/octet-stream",
            "010203fa",
        )
    ]
    # Node prints {data: [...]} for listings; ours are lists.
    ours_as_node = [
        {"data": [_thread_as_node(t) for t in ours[0]]},
        {"data": [_thread_as_node(t) for t in ours[1]]},
        {"data": [_thread_as_node(t) for t in ours[2]]},
        _thread_as_node(ours[3]),
        {"participantIds": ours[4]},
        {"data": [_subscription_as_node(s) for s in ours[5]]},
        _thread_as_node(ours[6]),
        _thread_as_node(ours[7]),
        ours[9],
        _thread_as_node(ours[10]),
        _thread_as_node(ours[11]),
        _subscription_as_node(ours[12]),
        _comment_as_node(ours[14]),
        _comment_as_node(ours[15]),
        _comment_as_node(ours[16]),
        _comment_as_node(ours[17]),
        _comment_as_node(ours[18]),
        ours[20],
        {**ours[21].raw, "createdAt": _iso(ours[21].created_at)},
        ours[23].raw,
        ours[24].raw,
    ]
    assert ours_as_node == node


@pytest.mark.realstack
def test_a_large_upload_goes_in_parts_as_node_sends_them(
    recorder: tuple[str, Seen], tmp_path: Path
) -> None:
    big = tmp_path / "big (1).bin"
    big.write_bytes(bytes(i % 251 for i in range(PART_SIZE + 3)))

    def upload(lb: Liveblocks) -> list[CommentAttachment]:
        return [lb.upload_attachment(ROOM, user_id="alice", file=big)]

    theirs, node, ours = differential(
        "thread_requests.mjs", recorder, upload, args=("--big-upload",), same=same
    )
    base = "/v2/rooms/room%201%2F%C3%A9/attachments/at_X/multipart"
    assert [(m, p, kind) for m, p, kind, _ in theirs] == [
        ("POST", f"{base}/big%20(1).bin?fileSize={PART_SIZE + 3}", "application/json"),
        ("PUT", f"{base}/up%201/1", "application/octet-stream"),
        ("PUT", f"{base}/up%201/2", "application/octet-stream"),
        ("POST", f"{base}/up%201/complete?userId=alice", "application/json"),
    ]
    content = big.read_bytes()
    assert theirs[1][3] == content[:PART_SIZE].hex()
    assert theirs[2][3] == content[PART_SIZE:].hex()
    assert theirs[3][3] == {
        "parts": [{"partNumber": 1, "etag": "etag-1"}, {"partNumber": 2, "etag": "etag-2"}]
    }
    assert [a.raw for a in ours] == node


def test_the_async_client_sends_the_same(recorder: tuple[str, Seen]) -> None:
    async_client_agrees(recorder, our_calls, same)


@pytest.mark.official_sdk
def test_answers_are_read_as_the_official_python_sdk_reads_them() -> None:
    from liveblocks.models import AttachmentWithUrl
    from liveblocks.models import Subscription as OfficialSubscription
    from liveblocks.models import Thread as OfficialThread

    ours, theirs = Thread.from_json(THREAD), OfficialThread.from_dict(THREAD)
    assert (ours.id, ours.room_id, ours.resolved, ours.visibility) == (
        theirs.id,
        theirs.room_id,
        theirs.resolved,
        theirs.visibility.value,
    )
    assert (ours.created_at, ours.updated_at) == (theirs.created_at, theirs.updated_at)
    assert ours.metadata == theirs.metadata.to_dict()
    assert ours.raw["futureThreadField"] == theirs.additional_properties["futureThreadField"]
    for comment, official in zip(ours.comments, theirs.comments, strict=True):
        assert (comment.id, comment.user_id, comment.thread_id) == (
            official.id,
            official.user_id,
            official.thread_id,
        )
        assert comment.created_at == official.created_at
        assert comment.deleted_at == (official.deleted_at or None)
        assert comment.edited_at == (official.edited_at or None)
        assert (comment.body is None) == (not official.body)
        assert [(r.emoji, r.user_id, r.created_at) for r in comment.reactions] == [
            (r.emoji, r.user_id, r.created_at) for r in official.reactions
        ]
        assert [(a.id, a.name, a.mime_type, a.size) for a in comment.attachments] == [
            (a.id, a.name, a.mime_type, a.size) for a in official.attachments
        ]
    assert ours.comments[0].raw["futureCommentField"] == [1]
    subscription = Subscription.from_json(SUBSCRIPTION)
    official_subscription = OfficialSubscription.from_dict(SUBSCRIPTION)
    assert (subscription.kind, subscription.subject_id, subscription.created_at) == (
        official_subscription.kind,
        official_subscription.subject_id,
        official_subscription.created_at,
    )
    attachment = CommentAttachment.from_json(ATTACHMENT)
    official_attachment = AttachmentWithUrl.from_dict(ATTACHMENT)
    assert (attachment.url, attachment.expires_at, attachment.size) == (
        official_attachment.url,
        official_attachment.expires_at,
        official_attachment.size,
    )


@pytest.mark.official_sdk
def test_calls_only_the_official_python_sdk_has_are_sent_and_read_as_it_does(
    recorder: tuple[str, Seen],
) -> None:
    from liveblocks import Liveblocks as Official

    base_url, seen = recorder
    with Official(secret="sk_localdev", base_url=base_url) as official:
        official.mark_inbox_notification_as_read("in 1/é")
        theirs = official.get_thread_inbox_notifications(ROOM, "th_1").data
    sent = [(method, path, body) for method, path, _, body in seen]
    seen.clear()
    with Liveblocks("sk_localdev", base_url=base_url) as lb:
        assert lb.mark_inbox_notification_as_read("in 1/é") is None
        ours = lb.get_thread_inbox_notifications(ROOM, "th_1")
    assert [(method, path, body) for method, path, _, body in seen] == sent
    assert sent[0][:2] == ("POST", "/v2/inbox-notifications/in%201%2F%C3%A9/read")
    assert [(n.id, n.user_id, n.thread_id, n.notified_at, n.read_at) for n in ours] == [
        (n.id, n.user_id, n.thread_id, n.notified_at, n.read_at) for n in theirs
    ]


def test_marking_read_and_a_thread_s_notifications_in_the_fake(fake: FakeLiveblocks) -> None:
    fake.add_room("r")
    with Liveblocks(SECRET, transport=fake) as lb:
        thread = lb.create_thread("r", user_id="alice", body=BODY)
        for_bob = fake.add_inbox_notification("bob", room_id="r", thread_id=thread.id)
        fake.add_inbox_notification("carol", room_id="r", thread_id=thread.id)
        fake.add_inbox_notification("carol", room_id="r", thread_id="th_other")
        found = lb.get_thread_inbox_notifications("r", thread.id)
        assert sorted((n.user_id, n.is_read) for n in found) == [
            ("bob", False),
            ("carol", False),
        ]
        lb.mark_inbox_notification_as_read(for_bob["id"])
        assert lb.get_inbox_notification("bob", for_bob["id"]).is_read
        assert [n.is_read for n in lb.get_inbox_notifications("carol")] == [False, False]
        with pytest.raises(LiveblocksError) as missing:
            lb.mark_inbox_notification_as_read("in_nope")
        assert missing.value.status == 404


# --- queries (tests/core/test_query.py compares them with Node's) -------------------------


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ({"status": "open"}, "query filters on 'resolved', 'visibility', 'metadata'; not on"),
        ({"resolved": "yes"}, r"query\['resolved'\] must be True or False"),
        ({"visibility": "team"}, "must be 'public' or 'private'"),
        ({"metadata": {"n": {"lt": "3"}}}, r"\['lt'\] must be a number"),
        ({"metadata": {"n": {"between": [1, 2]}}}, "must be a value, {'startsWith'"),
        ({"metadata": {"n": [1, 2]}}, "must be a string, a number, a boolean, None or an operator"),
        ({"metadata": {" ": 1}}, "keys must be non-empty strings"),
    ],
)
def test_bad_queries_are_refused_before_anything_is_sent(
    fake: FakeLiveblocks, query: Any, message: str
) -> None:
    refused_before_sending(fake, lambda lb: lb.get_threads("r", query=query), message)


# --- arguments --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda lb: lb.get_thread("r", ".."), "thread_id"),
        (lambda lb: lb.get_comment("r", "th_1", ""), "comment_id"),
        (lambda lb: lb.create_thread("r", user_id="a", body="hi"), "body must be a comment body"),
        (
            lambda lb: lb.create_comment("r", "t", user_id="a", body={"version": 2, "content": []}),
            "body must be a comment body",
        ),
        (
            lambda lb: lb.create_comment(
                "r", "t", user_id="a", body={"version": 1, "content": [{"type": "heading"}]}
            ),
            r"body\['content'\]\[0\] must be a paragraph",
        ),
        (
            lambda lb: lb.create_comment(
                "r",
                "t",
                user_id="a",
                body={"version": 1, "content": [{"type": "paragraph", "children": [{"x": 1}]}]},
            ),
            r"body\['content'\]\[0\]\['children'\]\[0\] must be a text",
        ),
        (
            lambda lb: lb.create_comment(
                "r",
                "t",
                user_id="a",
                body={
                    "version": 1,
                    "content": [{"type": "paragraph", "children": [{"type": "mention"}]}],
                },
            ),
            "a mention needs an 'id'",
        ),
        (
            lambda lb: lb.create_thread("r", user_id="a", body=BODY, metadata={"tags": ["a"]}),
            r"metadata\['tags'\] must be a string, a number or a boolean",
        ),
        (
            lambda lb: lb.create_thread("r", user_id="a", body=BODY, comment_metadata={"x": None}),
            r"comment_metadata\['x'\] must be a string, a number or a boolean, not NoneType",
        ),
        (
            lambda lb: lb.create_thread("r", user_id="a", body=BODY, metadata={"k" * 41: 1}),
            "keys must be strings of 1-40 characters",
        ),
        (
            lambda lb: lb.create_thread(
                "r", user_id="a", body=BODY, metadata={str(i): i for i in range(51)}
            ),
            "at most 50",
        ),
        (lambda lb: lb.create_thread("r", user_id="a", body=BODY, visibility="team"), "visibility"),
        (
            lambda lb: lb.create_comment(
                "r", "t", user_id="a", body=BODY, created_at=datetime(2024, 1, 1)
            ),
            "created_at must be an aware datetime",
        ),
        (
            lambda lb: lb.create_comment("r", "t", user_id="a", body=BODY, attachment_ids="at_1"),
            "attachment_ids must be a list",
        ),
        (lambda lb: lb.create_comment("r", "t", user_id="", body=BODY), "user_id"),
        (
            lambda lb: lb.add_comment_reaction("r", "t", "c", emoji="", user_id="a"),
            "emoji must be a non-empty string",
        ),
        (
            lambda lb: lb.edit_thread_metadata("r", "t", metadata={"a": [1]}, user_id="a"),
            r"\(or None to remove it\)",
        ),
        (
            lambda lb: lb.upload_attachment("r", user_id="a", file=b"x"),
            "name is required with bytes",
        ),
        (
            lambda lb: lb.upload_attachment("r", user_id="a", file="notes.txt"),
            "a str is ambiguous",
        ),
        (
            lambda lb: lb.upload_attachment("r", user_id="a", file=Path("/nonexistent/x.pdf")),
            "is not a readable file",
        ),
    ],
)
def test_bad_arguments_are_refused_before_anything_is_sent(
    fake: FakeLiveblocks, call: Any, message: str
) -> None:
    refused_before_sending(fake, call, message)


def test_posts_are_never_sent_twice_and_changes_that_can_be_are_retried(
    fake: FakeLiveblocks,
) -> None:
    fake.add_room("r")
    never_sent_twice(fake, lambda lb: lb.create_thread("r", user_id="a", body=BODY))
    fake.reset()
    fake.add_room("r")
    never_sent_twice(fake, lambda lb: lb.create_comment("r", "th_x", user_id="a", body=BODY))
    with Liveblocks(SECRET, transport=fake) as lb:
        thread = lb.create_thread("r", user_id="alice", body=BODY)
        fake.fail_next(Fault.server_error(), times=1)
        before = len(fake.calls)
        resolved = lb.mark_thread_as_resolved("r", thread.id, user_id="alice")
        assert resolved.resolved is True
        assert len(fake.calls) == before + 2  # retried: resolving twice is resolving once


# --- the fake ---------------------------------------------------------------------------------


def test_the_fake_keeps_threads_comments_reactions_and_subscriptions(
    fake: FakeLiveblocks,
) -> None:
    fake.add_room("r")
    with Liveblocks(SECRET, transport=fake) as lb:
        thread = lb.create_thread(
            "r", user_id="alice", body=BODY, metadata={"status": "open", "priority": 2}
        )
        assert thread.comments[0].user_id == "alice"
        assert thread.comments[0].body == BODY
        assert thread.metadata == {"status": "open", "priority": 2}
        reply = lb.create_comment(
            "r", thread.id, user_id="carol", body=comment_body_from_text("Thanks!\nOn it.")
        )
        assert [p["children"][0]["text"] for p in reply.body["content"]] == ["Thanks!", "On it."]
        assert lb.get_comment("r", thread.id, reply.id) == reply
        assert [c.id for c in lb.get_thread("r", thread.id).comments] == [
            thread.comments[0].id,
            reply.id,
        ]
        # Commenting, being mentioned: following the thread; participants as the API lists them.
        assert sorted(s.user_id for s in lb.get_thread_subscriptions("r", thread.id)) == [
            "alice",
            "bob@example.com",
            "carol",
        ]
        assert lb.get_thread_participants("r", thread.id) == ["alice", "bob@example.com", "carol"]
        lb.unsubscribe_from_thread("r", thread.id, user_id="carol")
        subscription = lb.subscribe_to_thread("r", thread.id, user_id="dave")
        assert (subscription.kind, subscription.subject_id) == ("thread", thread.id)
        assert sorted(s.user_id for s in lb.get_thread_subscriptions("r", thread.id)) == [
            "alice",
            "bob@example.com",
            "dave",
        ]
        # Metadata, resolution, queries.
        assert lb.edit_thread_metadata(
            "r", thread.id, metadata={"priority": None, "owner": "dave"}, user_id="dave"
        ) == {"status": "open", "owner": "dave"}
        assert lb.mark_thread_as_resolved("r", thread.id, user_id="dave").resolved is True
        other = lb.create_thread("r", user_id="bob", body=BODY, metadata={"status": "closed"})
        assert [t.id for t in lb.get_threads("r", query={"resolved": True})] == [thread.id]
        assert [t.id for t in lb.get_threads("r", query={"metadata": {"status": "closed"}})] == [
            other.id
        ]
        assert [t.id for t in lb.get_threads("r", query="metadata['owner']^'da'")] == [thread.id]
        assert lb.mark_thread_as_unresolved("r", thread.id, user_id="dave").resolved is False
        # Reactions, comment metadata, edits.
        reaction = lb.add_comment_reaction("r", thread.id, reply.id, emoji="👍", user_id="alice")
        assert (reaction.emoji, reaction.user_id) == ("👍", "alice")
        assert [r.emoji for r in lb.get_comment("r", thread.id, reply.id).reactions] == ["👍"]
        lb.remove_comment_reaction("r", thread.id, reply.id, emoji="👍", user_id="alice")
        assert lb.get_comment("r", thread.id, reply.id).reactions == []
        assert lb.edit_comment_metadata(
            "r", thread.id, reply.id, metadata={"seen": True}, user_id="carol"
        ) == {"seen": True}
        edited = lb.edit_comment("r", thread.id, reply.id, body=comment_body_from_text("Done."))
        assert edited.edited_at is not None
        assert edited.metadata == {"seen": True}
        # Deleting the last comment deletes the thread.
        lb.delete_comment("r", other.id, other.comments[0].id)
        with pytest.raises(LiveblocksError) as gone:
            lb.get_thread("r", other.id)
        assert gone.value.status == 404
        lb.delete_thread("r", thread.id)
        assert lb.get_threads("r") == []


def test_the_fake_answers_unknown_rooms_threads_and_comments_with_404(
    fake: FakeLiveblocks,
) -> None:
    fake.add_room("r")
    with Liveblocks(SECRET, transport=fake) as lb:
        for call in (
            lambda: lb.get_threads("nope"),
            lambda: lb.get_thread("r", "th_nope"),
            lambda: lb.create_comment("r", "th_nope", user_id="a", body=BODY),
            lambda: lb.get_comment("r", "th_nope", "cm_nope"),
            lambda: lb.get_attachment("r", "at_nope"),
        ):
            with pytest.raises(LiveblocksError) as missing:
                call()
            assert missing.value.status == 404


def test_the_fake_keeps_attachments_small_and_multipart(
    fake: FakeLiveblocks, tmp_path: Path
) -> None:
    fake.add_room("r")
    big = bytes(i % 7 for i in range(PART_SIZE * 2 + 10))
    with Liveblocks(SECRET, transport=fake) as lb:
        small = lb.upload_attachment("r", user_id="alice", file=b"%PDF-1.7", name="a.pdf")
        assert (small.name, small.size, small.mime_type) == ("a.pdf", 8, "application/pdf")
        large = lb.upload_attachment("r", user_id="alice", file=io.BytesIO(big), name="b.bin")
        assert large.size == len(big)
        assert [c.method for c in fake.calls if "/multipart/" in c.path] == [
            "POST",
            "PUT",
            "PUT",
            "PUT",
            "POST",
        ]
        assert fake.attachment_content("r", large.id) == big
        read = lb.get_attachment("r", small.id)
        assert read.url
        assert read.expires_at is not None
        thread = lb.create_thread("r", user_id="alice", body=BODY, attachment_ids=[small.id])
        assert [a.id for a in thread.comments[0].attachments] == [small.id]


def test_a_failed_multipart_upload_is_aborted(
    fake: FakeLiveblocks, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(attachments, "_attachment_id", lambda: "at_1")
    fake.add_room("r")
    part = "/v2/rooms/r/attachments/at_1/multipart/up_fake000001/1"
    fake.fail_next(dataclasses.replace(Fault.server_error(400), path=part))  # refused: no retry
    with Liveblocks(SECRET, transport=fake) as lb, pytest.raises(LiveblocksError) as refused:
        lb.upload_attachment("r", user_id="a", file=bytes(PART_SIZE + 1), name="x.bin")
    assert refused.value.status == 400
    assert [c.method for c in fake.calls] == ["POST", "PUT", "DELETE"]
    assert fake.calls[-1].path == fake.calls[1].path.rsplit("/", 1)[0]
