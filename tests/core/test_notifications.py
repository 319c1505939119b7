"""Inbox notifications: the requests are those of @liveblocks/node, answers read as Node and the
official Python SDK read them, arguments (the activity data above all) are checked before
anything is sent, triggering is never sent twice, and the fake keeps inboxes."""

from __future__ import annotations

import itertools
import json
from datetime import datetime
from typing import Any

import pytest

from liveblocks_auth import InboxNotification, Liveblocks, LiveblocksError
from liveblocks_auth.testing import FakeLiveblocks, Fault
from tests.core.harness import SECRET
from tests.recording import (
    async_client_agrees,
    differential,
    never_sent_twice,
    recorder_fixture,
    refused_before_sending,
)

THREAD = {
    "kind": "thread",
    "id": "in_1",
    "roomId": "room 1/é",
    "threadId": "th_1",
    "notifiedAt": "2024-01-15T10:30:00.000Z",
    "readAt": None,
}
CUSTOM = {
    "kind": "$fileUploaded",
    "id": "in_2",
    "roomId": None,
    "subjectId": "file 1",
    "notifiedAt": "2024-01-16T09:00:00.000Z",
    "readAt": "2024-01-16T10:00:00.250Z",
    "activities": [{"id": "act_1", "createdAt": "2024-01-16T09:00:00.000Z", "data": {"a": 1}}],
    "someFutureField": True,
}


_CURSORS = itertools.cycle([None, None, "c 1", None])  # each run's 4 listing calls


def _answer(method: str, path: str) -> tuple[int, str, bytes]:
    if method == "DELETE":
        return 204, "application/json", b""
    if path.endswith("/trigger"):
        return 200, "application/json", b""
    if path.endswith("/inbox-notifications"):
        page = {"data": [THREAD, CUSTOM], "nextCursor": next(_CURSORS)}
        return 200, "application/json", json.dumps(page).encode()
    return 200, "application/json", json.dumps(THREAD).encode()


recorder = recorder_fixture(_answer)


def our_calls(lb: Liveblocks) -> list[Any]:
    """The calls of tests/realstack/notification_requests.mjs, with our client."""
    return [
        lb.get_inbox_notification("alice@example.com", "in_1"),
        list(lb.get_inbox_notifications("alice@example.com")),
        list(
            lb.get_inbox_notifications(
                "alice@example.com", query={"unread": True}, page_size=10, organization_id="acme"
            )
        ),
        list(lb.get_inbox_notifications("bob", query="unread:false")),
        lb.delete_inbox_notification("alice@example.com", "in_1"),
        lb.delete_all_inbox_notifications("alice@example.com"),
        lb.delete_all_inbox_notifications("bob", organization_id="acme"),
        lb.trigger_inbox_notification(
            "alice@example.com",
            kind="$fileUploaded",
            subject_id="file 1",
            activity_data={"file": "report.pdf", "pages": 12, "urgent": False},
            room_id="room 1/é",
            organization_id="acme",
        ),
        lb.trigger_inbox_notification("bob", kind="$reminder", subject_id="r-2", activity_data={}),
    ]


def _iso(value: datetime | None) -> str | None:
    return (
        None if value is None else value.isoformat(timespec="milliseconds").replace("+00:00", "Z")
    )


def _as_node(notification: InboxNotification) -> dict[str, Any]:
    """Our notification as Node's parse prints it (JSON.stringify of InboxNotificationData)."""
    node = {
        **notification.raw,
        "notifiedAt": _iso(notification.notified_at),
        "readAt": _iso(notification.read_at),
    }
    if "activities" in notification.raw:
        node["activities"] = [
            {**a, "createdAt": _iso(a["createdAt"])} for a in notification.activities
        ]
    return node


@pytest.mark.realstack
def test_requests_and_parsed_answers_are_those_of_the_node_sdk(
    recorder: tuple[str, list[Any]],
) -> None:
    theirs, node, ours = differential("notification_requests.mjs", recorder, our_calls)
    assert len(theirs) == 10
    assert theirs[4][1] == (
        "/v2/users/bob/inbox-notifications?query=unread%3Afalse&startingAfter=c+1"
    )
    assert theirs[0][1] == "/v2/users/alice%40example.com/inbox-notifications/in_1"
    assert theirs[2][1] == (
        "/v2/users/alice%40example.com/inbox-notifications"
        "?query=unread%3Atrue&limit=10&organizationId=acme"
    )
    assert theirs[7][1] == "/v2/users/bob/inbox-notifications?organizationId=acme"
    assert theirs[8][0:2] == ("POST", "/v2/inbox-notifications/trigger")
    assert _as_node(ours[0]) == node[0]
    node_pages = [page["data"] for page in node[1:4]]
    node_pages[2] += node[4]["data"]  # our iterator followed the cursor
    for page, node_page in zip(ours[1:4], node_pages, strict=True):
        assert [_as_node(n) for n in page] == node_page


@pytest.mark.official_sdk
def test_answers_are_read_as_the_official_python_sdk_reads_them() -> None:
    from liveblocks.models import InboxNotificationCustomData, InboxNotificationThreadData

    thread, custom = InboxNotification.from_json(THREAD), InboxNotification.from_json(CUSTOM)
    official_thread = InboxNotificationThreadData.from_dict(THREAD)
    assert (thread.id, thread.kind, thread.room_id, thread.thread_id) == (
        official_thread.id,
        official_thread.kind,
        official_thread.room_id,
        official_thread.thread_id,
    )
    assert thread.notified_at == official_thread.notified_at
    assert thread.read_at is None
    assert not thread.is_read
    # (The OpenAPI description spells a custom notification's kind "custom"; the Node SDK's types
    # spell it as the "$kind" itself. Ours keeps whichever comes.)
    official_custom = InboxNotificationCustomData.from_dict({**CUSTOM, "kind": "custom"})
    assert InboxNotification.from_json({**CUSTOM, "kind": "custom"}).kind == "custom"
    assert custom.read_at == official_custom.read_at
    assert custom.subject_id == official_custom.subject_id
    assert custom.activities[0]["createdAt"] == official_custom.activities[0].created_at
    assert custom.raw["someFutureField"] is True  # unknown fields kept


def test_the_async_client_sends_the_same(recorder: tuple[str, list[Any]]) -> None:
    async_client_agrees(recorder, our_calls)


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda lb: lb.get_inbox_notification("alice", ".."), "inbox_notification_id"),
        (
            lambda lb: lb.get_inbox_notifications("alice", query={"read": True}),
            "query filters on 'unread'; not on 'read'",
        ),
        (lambda lb: lb.get_inbox_notifications("alice", page_size=500), "page_size"),
        (
            lambda lb: lb.trigger_inbox_notification(
                "alice", kind="fileUploaded", subject_id="f", activity_data={}
            ),
            'kind must be a custom notification kind starting with "\\$"',
        ),
        (
            lambda lb: lb.trigger_inbox_notification(
                "alice", kind="$x", subject_id="f", activity_data={"file": {"name": "a"}}
            ),
            r"activity_data\['file'\] must be a string, a number or a boolean",
        ),
        (
            lambda lb: lb.trigger_inbox_notification(
                "alice", kind="$x", subject_id="f", activity_data={"n": float("nan")}
            ),
            "must be a string, a number or a boolean",
        ),
        (
            lambda lb: lb.trigger_inbox_notification(
                "alice", kind="$x", subject_id="", activity_data={}
            ),
            "subject_id must be a non-empty string",
        ),
    ],
)
def test_bad_arguments_are_refused_before_anything_is_sent(
    fake: FakeLiveblocks, call: Any, message: str
) -> None:
    refused_before_sending(fake, call, message)


def test_triggering_is_never_sent_twice_and_reads_are_retried(fake: FakeLiveblocks) -> None:
    never_sent_twice(
        fake,
        lambda lb: lb.trigger_inbox_notification(
            "alice", kind="$x", subject_id="s", activity_data={}
        ),
    )
    fake.fail_next(Fault.server_error(), times=1)
    with Liveblocks(SECRET, transport=fake) as lb:
        assert list(lb.get_inbox_notifications("alice")) == []  # the read, retried
    assert len(fake.calls) == 3


def test_the_fake_keeps_inboxes(fake: FakeLiveblocks) -> None:
    fake.add_room("roadmap")
    first = fake.add_inbox_notification("alice", room_id="roadmap")
    fake.add_inbox_notification("alice", read=True)
    with Liveblocks(SECRET, transport=fake) as lb:
        lb.trigger_inbox_notification(
            "alice", kind="$upload", subject_id="f1", activity_data={"n": 1}, room_id="roadmap"
        )
        lb.trigger_inbox_notification(
            "alice", kind="$upload", subject_id="f1", activity_data={"n": 2}
        )  # grouped with the first: one notification, two activities
        inbox = list(lb.get_inbox_notifications("alice", page_size=1))
        assert [n.kind for n in inbox] == ["$upload", "thread", "thread"]
        assert [a["data"] for a in inbox[0].activities] == [{"n": 1}, {"n": 2}]
        assert isinstance(inbox[0].activities[0]["createdAt"], datetime)
        unread = list(lb.get_inbox_notifications("alice", query={"unread": True}))
        assert [n.id for n in unread] == [inbox[0].id, first["id"]]
        assert lb.get_inbox_notification("alice", first["id"]).thread_id == first["threadId"]
        lb.delete_inbox_notification("alice", first["id"])
        with pytest.raises(LiveblocksError) as gone:
            lb.get_inbox_notification("alice", first["id"])
        assert (gone.value.status, gone.value.code) == (404, "INBOX_NOTIFICATION_NOT_FOUND")
        with pytest.raises(LiveblocksError) as missing_room:
            lb.trigger_inbox_notification(
                "alice", kind="$x", subject_id="s", activity_data={}, room_id="nope"
            )
        assert missing_room.value.code == "ROOM_NOT_FOUND"
        lb.delete_all_inbox_notifications("alice")
        assert list(lb.get_inbox_notifications("alice")) == []
