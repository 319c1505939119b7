"""The fake's threads, comments, reactions and subscriptions: kept per room as the REST API
answers them, checked with the client's own validation (a 422 with its reason), the thread
query language understood. (Attachments are in ``_fake_uploads``.)"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterator
from typing import Any

import httpx

from liveblocks_auth.api.comments import THREAD_VISIBILITIES, check_comment_body
from liveblocks_auth.comment_body import get_mentions_from_comment_body

from ._fake_base import _error, _json, _not_found, _now_iso, _require, _Unprocessable

__all__ = ["COMMENT_ROUTES", "CommentsFake"]

_Call = Any  # a RecordedCall


def _thread_not_found(thread_id: str) -> httpx.Response:
    return _error(404, "THREAD_NOT_FOUND", f'Thread with id "{thread_id}" not found.')


def _comment_not_found(comment_id: str) -> httpx.Response:
    return _error(404, "COMMENT_NOT_FOUND", f'Comment with id "{comment_id}" not found.')


def _checked(check: Callable[[], Any]) -> Any:
    """The client's own validation, as the fake's 422."""
    try:
        return check()
    except ValueError as exc:
        raise _Unprocessable(str(exc)) from None


def _metadata(value: Any, key: str, *, allow_null: bool) -> dict[str, Any]:
    _require(isinstance(value, dict), f"Value at key '{key}': Must be an object")
    for name, item in value.items():
        ok = isinstance(item, str | bool | int | float) or (item is None and allow_null)
        _require(ok, f"Value at key '{key}.{name}': Must be a string, a number or a boolean")
    return dict(value)


def _merged(current: dict[str, Any], changes: dict[str, Any]) -> dict[str, Any]:
    merged = {**current, **changes}
    return {k: v for k, v in merged.items() if v is not None}


# --- the thread query language ----------------------------------------------------------------

_CLAUSE = re.compile(
    r"""\s*(?:AND\s+)?
    (?P<key>resolved|visibility|metadata\[(?P<name>'(?:[^'\\]|\\.)*'|"(?:[^"\\]|\\.)*")\])
    \s*(?P<op><=|>=|:|\^|<|>)\s*
    (?P<value>'(?:[^'\\]|\\.)*'|"(?:[^"\\]|\\.)*"|-?[0-9][0-9.eE+-]*|true|false|null)\s*""",
    re.VERBOSE,
)


def _unquote(text: str) -> Any:
    if text.startswith("'"):  # Node's quote: JSON with ' around it and \" left as "
        return json.loads('"' + text[1:-1].replace('"', '\\"') + '"')
    return json.loads(text)


def _clauses(query: str) -> Iterator[tuple[str, str | None, str, Any]]:
    """``(key, metadata name, operator, value)`` of each clause of ``query``."""
    position = 0
    while position < len(query.rstrip()):
        match = _CLAUSE.match(query, position)
        _require(match is not None, f"Unsupported query at {query[position:]!r}")
        assert match is not None
        name = match["name"]
        yield (
            match["key"].split("[")[0],
            None if name is None else _unquote(name),
            match["op"],
            _unquote(match["value"]),
        )
        position = match.end()


def _matches(thread: dict[str, Any], query: str) -> bool:
    for key, name, op, value in _clauses(query):
        found = thread.get(key) if name is None else thread["metadata"].get(name)
        if op == ":":
            ok = (found == value and type(found) is type(value)) or (
                found is None and value is None
            )
        elif op == "^":
            ok = isinstance(found, str) and isinstance(value, str) and found.startswith(value)
        else:
            number = isinstance(found, int | float) and not isinstance(found, bool)
            ok = (
                number
                and {
                    "<": found < value,
                    ">": found > value,
                    "<=": found <= value,
                    ">=": found >= value,
                }[op]
            )
        if not ok:
            return False
    return True


class CommentsFake:
    """The fake's part for threads and comments (mixed into ``FakeLiveblocks``)."""

    rooms: dict[str, dict[str, Any]]
    attachments: dict[str, dict[str, dict[str, Any]]]
    _new_id: Callable[[str], str]

    def _init_comments(self) -> None:
        #: Each room's threads by id, as ``GET /v2/rooms/{id}/threads/{thread}`` answers them.
        self.threads: dict[str, dict[str, dict[str, Any]]] = {}
        #: Who follows each thread: ``{(room id, thread id): {user id: subscribed at}}``.
        self.thread_subscriptions: dict[tuple[str, str], dict[str, str]] = {}

    def _reset_comments(self) -> None:
        self.threads.clear()
        self.thread_subscriptions.clear()

    # --- helpers ---

    def _thread(self, room_id: str, thread_id: str) -> dict[str, Any] | httpx.Response:
        if room_id not in self.rooms:
            return _not_found(room_id)
        thread = self.threads.get(room_id, {}).get(thread_id)
        return _thread_not_found(thread_id) if thread is None else thread

    def _comment(
        self, room_id: str, thread_id: str, comment_id: str
    ) -> tuple[dict[str, Any], dict[str, Any]] | httpx.Response:
        thread = self._thread(room_id, thread_id)
        if isinstance(thread, httpx.Response):
            return thread
        for comment in thread["comments"]:
            if comment["id"] == comment_id:
                return thread, comment
        return _comment_not_found(comment_id)

    def _subscribe(self, room_id: str, thread_id: str, user_id: str) -> dict[str, Any]:
        followers = self.thread_subscriptions.setdefault((room_id, thread_id), {})
        created = followers.setdefault(user_id, _now_iso())
        return {"kind": "thread", "subjectId": thread_id, "createdAt": created}

    def _new_comment(self, room_id: str, thread_id: str, body: Any) -> dict[str, Any]:
        _require(isinstance(body, dict), "Body must be a JSON object")
        user_id = body.get("userId")
        _require(isinstance(user_id, str) and bool(user_id), "Value at key 'userId': Required")
        content = _checked(lambda: check_comment_body(body.get("body")))
        attachments = []
        for attachment_id in body.get("attachmentIds") or []:
            found = self.attachments.get(room_id, {}).get(attachment_id)
            _require(found is not None, f"Attachment {attachment_id!r} not found in this room")
            assert found is not None
            attachments.append(found["answer"])
        comment = {
            "type": "comment",
            "threadId": thread_id,
            "roomId": room_id,
            "id": self._new_id("cm"),
            "userId": user_id,
            "createdAt": body.get("createdAt") or _now_iso(),
            "body": content,
            "metadata": _metadata(body.get("metadata") or {}, "metadata", allow_null=False),
            "reactions": [],
            "attachments": attachments,
        }
        # The author and the users mentioned follow the thread, as Liveblocks has them.
        self._subscribe(room_id, thread_id, user_id)
        for mention in get_mentions_from_comment_body(content):
            if mention.get("kind", "user") == "user":
                self._subscribe(room_id, thread_id, mention["id"])
        return comment

    # --- threads ---

    def _list_threads(self, call: _Call, room_id: str) -> httpx.Response:
        if room_id not in self.rooms:
            return _not_found(room_id)
        query = call.params.get("query", "")
        found = [t for t in self.threads.get(room_id, {}).values() if _matches(t, query)]
        return _json(200, {"data": found})

    def _create_thread(self, call: _Call, room_id: str) -> httpx.Response:
        if room_id not in self.rooms:
            return _not_found(room_id)
        body = call.json
        _require(isinstance(body, dict), "Body must be a JSON object")
        visibility = body.get("visibility", "public")
        _require(visibility in THREAD_VISIBILITIES, "Value at key 'visibility': Invalid")
        thread_id = self._new_id("th")
        comment = self._new_comment(room_id, thread_id, body.get("comment"))
        thread = {
            "type": "thread",
            "id": thread_id,
            "roomId": room_id,
            "comments": [comment],
            "createdAt": comment["createdAt"],
            "updatedAt": comment["createdAt"],
            "metadata": _metadata(body.get("metadata") or {}, "metadata", allow_null=False),
            "resolved": False,
            "visibility": visibility,
        }
        self.threads.setdefault(room_id, {})[thread_id] = thread
        return _json(200, thread)

    def _get_thread(self, call: _Call, room_id: str, thread_id: str) -> httpx.Response:
        thread = self._thread(room_id, thread_id)
        return thread if isinstance(thread, httpx.Response) else _json(200, thread)

    def _delete_thread(self, call: _Call, room_id: str, thread_id: str) -> httpx.Response:
        thread = self._thread(room_id, thread_id)
        if isinstance(thread, httpx.Response):
            return thread
        del self.threads[room_id][thread_id]
        self.thread_subscriptions.pop((room_id, thread_id), None)
        return httpx.Response(204)

    def _thread_metadata(self, call: _Call, room_id: str, thread_id: str) -> httpx.Response:
        thread = self._thread(room_id, thread_id)
        if isinstance(thread, httpx.Response):
            return thread
        body = call.json if isinstance(call.json, dict) else {}
        changes = _metadata(body.get("metadata"), "metadata", allow_null=True)
        thread["metadata"] = _merged(thread["metadata"], changes)
        thread["updatedAt"] = body.get("updatedAt") or _now_iso()
        return _json(200, thread["metadata"])

    def _resolve(self, call: _Call, room_id: str, thread_id: str, resolved: bool) -> httpx.Response:
        thread = self._thread(room_id, thread_id)
        if isinstance(thread, httpx.Response):
            return thread
        thread["resolved"] = resolved
        thread["updatedAt"] = _now_iso()
        return _json(200, thread)

    def _mark_resolved(self, call: _Call, room_id: str, thread_id: str) -> httpx.Response:
        return self._resolve(call, room_id, thread_id, True)

    def _mark_unresolved(self, call: _Call, room_id: str, thread_id: str) -> httpx.Response:
        return self._resolve(call, room_id, thread_id, False)

    def _follow(self, call: _Call, room_id: str, thread_id: str, follow: bool) -> httpx.Response:
        thread = self._thread(room_id, thread_id)
        if isinstance(thread, httpx.Response):
            return thread
        user_id = call.json.get("userId") if isinstance(call.json, dict) else None
        _require(isinstance(user_id, str) and bool(user_id), "Value at key 'userId': Required")
        assert isinstance(user_id, str)
        if follow:
            return _json(200, self._subscribe(room_id, thread_id, user_id))
        self.thread_subscriptions.get((room_id, thread_id), {}).pop(user_id, None)
        return httpx.Response(204)

    def _subscribe_route(self, call: _Call, room_id: str, thread_id: str) -> httpx.Response:
        return self._follow(call, room_id, thread_id, True)

    def _unsubscribe_route(self, call: _Call, room_id: str, thread_id: str) -> httpx.Response:
        return self._follow(call, room_id, thread_id, False)

    def _subscriptions(self, call: _Call, room_id: str, thread_id: str) -> httpx.Response:
        thread = self._thread(room_id, thread_id)
        if isinstance(thread, httpx.Response):
            return thread
        followers = self.thread_subscriptions.get((room_id, thread_id), {})
        data = [
            {"kind": "thread", "subjectId": thread_id, "createdAt": at, "userId": user}
            for user, at in followers.items()
        ]
        return _json(200, {"data": data})

    def _participants(self, call: _Call, room_id: str, thread_id: str) -> httpx.Response:
        thread = self._thread(room_id, thread_id)
        if isinstance(thread, httpx.Response):
            return thread
        seen: dict[str, None] = {}
        for comment in thread["comments"]:
            seen[comment["userId"]] = None
            for mention in get_mentions_from_comment_body(comment.get("body") or {"content": []}):
                if mention.get("kind", "user") == "user":
                    seen[mention["id"]] = None
        return _json(200, {"participantIds": list(seen)})

    # --- comments ---

    def _create_comment(self, call: _Call, room_id: str, thread_id: str) -> httpx.Response:
        thread = self._thread(room_id, thread_id)
        if isinstance(thread, httpx.Response):
            return thread
        comment = self._new_comment(room_id, thread_id, call.json)
        thread["comments"].append(comment)
        thread["updatedAt"] = comment["createdAt"]
        return _json(200, comment)

    def _get_comment(
        self, call: _Call, room_id: str, thread_id: str, comment_id: str
    ) -> httpx.Response:
        found = self._comment(room_id, thread_id, comment_id)
        return found if isinstance(found, httpx.Response) else _json(200, found[1])

    def _edit_comment(
        self, call: _Call, room_id: str, thread_id: str, comment_id: str
    ) -> httpx.Response:
        found = self._comment(room_id, thread_id, comment_id)
        if isinstance(found, httpx.Response):
            return found
        body = call.json
        _require(isinstance(body, dict), "Body must be a JSON object")
        comment = found[1]
        comment["body"] = _checked(lambda: check_comment_body(body.get("body")))
        comment["editedAt"] = body.get("editedAt") or _now_iso()
        if "metadata" in body:
            changes = _metadata(body["metadata"], "metadata", allow_null=True)
            comment["metadata"] = _merged(comment["metadata"], changes)
        if "attachmentIds" in body:
            keep = set(body["attachmentIds"])
            comment["attachments"] = [a for a in comment["attachments"] if a["id"] in keep]
        return _json(200, comment)

    def _delete_comment(
        self, call: _Call, room_id: str, thread_id: str, comment_id: str
    ) -> httpx.Response:
        found = self._comment(room_id, thread_id, comment_id)
        if isinstance(found, httpx.Response):
            return found
        thread, comment = found
        comment.pop("body", None)
        comment["deletedAt"] = _now_iso()
        if all("deletedAt" in c for c in thread["comments"]):  # the last one: the thread goes
            del self.threads[room_id][thread_id]
        return httpx.Response(204)

    def _comment_metadata(
        self, call: _Call, room_id: str, thread_id: str, comment_id: str
    ) -> httpx.Response:
        found = self._comment(room_id, thread_id, comment_id)
        if isinstance(found, httpx.Response):
            return found
        body = call.json if isinstance(call.json, dict) else {}
        changes = _metadata(body.get("metadata"), "metadata", allow_null=True)
        found[1]["metadata"] = _merged(found[1]["metadata"], changes)
        return _json(200, found[1]["metadata"])

    def _react(
        self, call: _Call, room_id: str, thread_id: str, comment_id: str, add: bool
    ) -> httpx.Response:
        found = self._comment(room_id, thread_id, comment_id)
        if isinstance(found, httpx.Response):
            return found
        body = call.json if isinstance(call.json, dict) else {}
        emoji, user_id = body.get("emoji"), body.get("userId")
        _require(isinstance(emoji, str) and bool(emoji), "Value at key 'emoji': Required")
        _require(isinstance(user_id, str) and bool(user_id), "Value at key 'userId': Required")
        reactions = found[1]["reactions"]
        mine = [r for r in reactions if (r["emoji"], r["userId"]) == (emoji, user_id)]
        if not add:
            reactions[:] = [r for r in reactions if r not in mine]
            return httpx.Response(204)
        if mine:
            return _json(200, mine[0])
        reaction = {
            "emoji": emoji,
            "userId": user_id,
            "createdAt": body.get("createdAt") or _now_iso(),
        }
        reactions.append(reaction)
        return _json(200, reaction)

    def _add_reaction(
        self, call: _Call, room_id: str, thread_id: str, comment_id: str
    ) -> httpx.Response:
        return self._react(call, room_id, thread_id, comment_id, True)

    def _remove_reaction(
        self, call: _Call, room_id: str, thread_id: str, comment_id: str
    ) -> httpx.Response:
        return self._react(call, room_id, thread_id, comment_id, False)


_T = r"/v2/rooms/([^/]+)/threads/([^/]+)"
_C = _T + r"/comments/([^/]+)"
COMMENT_ROUTES: dict[tuple[str, str], Callable[..., httpx.Response]] = {
    ("GET", r"/v2/rooms/([^/]+)/threads"): CommentsFake._list_threads,
    ("POST", r"/v2/rooms/([^/]+)/threads"): CommentsFake._create_thread,
    ("GET", _T): CommentsFake._get_thread,
    ("DELETE", _T): CommentsFake._delete_thread,
    ("POST", _T + "/metadata"): CommentsFake._thread_metadata,
    ("POST", _T + "/mark-as-resolved"): CommentsFake._mark_resolved,
    ("POST", _T + "/mark-as-unresolved"): CommentsFake._mark_unresolved,
    ("POST", _T + "/subscribe"): CommentsFake._subscribe_route,
    ("POST", _T + "/unsubscribe"): CommentsFake._unsubscribe_route,
    ("GET", _T + "/subscriptions"): CommentsFake._subscriptions,
    ("GET", _T + "/participants"): CommentsFake._participants,
    ("POST", _T + "/comments"): CommentsFake._create_comment,
    ("GET", _C): CommentsFake._get_comment,
    ("POST", _C): CommentsFake._edit_comment,
    ("DELETE", _C): CommentsFake._delete_comment,
    ("POST", _C + "/metadata"): CommentsFake._comment_metadata,
    ("POST", _C + "/add-reaction"): CommentsFake._add_reaction,
    ("POST", _C + "/remove-reaction"): CommentsFake._remove_reaction,
}
