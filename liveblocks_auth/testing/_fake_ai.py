"""The fake's AI copilots and knowledge sources: copilots kept as the REST API answers them
(the provider API key kept apart, never answered), web and file knowledge sources (ready at
once; a web source's one link is its URL; a file's Markdown is its text when it is UTF-8)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import httpx

from liveblocks_auth.api.ai import PROVIDERS, WEB_SOURCE_TYPES

from ._fake_base import _error, _json, _now_iso, _paged, _require

__all__ = ["AI_ROUTES", "AiFake"]

_Call = Any  # a RecordedCall
_COPILOT_FIELDS = (
    "name", "description", "systemPrompt", "knowledgePrompt", "alwaysUseKnowledge", "settings",
    "provider", "providerModel", "providerOptions", "compatibleProviderName", "providerBaseUrl",
)  # fmt: skip


def _copilot_not_found(copilot_id: str) -> httpx.Response:
    return _error(404, "COPILOT_NOT_FOUND", f'Copilot with id "{copilot_id}" not found.')


def _source_not_found(source_id: str) -> httpx.Response:
    message = f'Knowledge source with id "{source_id}" not found.'
    return _error(404, "KNOWLEDGE_SOURCE_NOT_FOUND", message)


class AiFake:
    """The fake's part for AI copilots (mixed into ``FakeLiveblocks``)."""

    _new_id: Callable[[str], str]

    def _init_ai(self) -> None:
        #: Copilots by id, as ``GET /v2/ai/copilots/{id}`` answers them.
        self.copilots: dict[str, dict[str, Any]] = {}
        #: The provider API key each copilot was given (never in an answer).
        self.copilot_api_keys: dict[str, str] = {}
        #: Each copilot's knowledge sources by id: their answer, and a file's ``"content"``.
        self.knowledge_sources: dict[str, dict[str, dict[str, Any]]] = {}

    def _reset_ai(self) -> None:
        self.copilots.clear()
        self.copilot_api_keys.clear()
        self.knowledge_sources.clear()

    def _copilot(self, copilot_id: str) -> dict[str, Any] | httpx.Response:
        copilot = self.copilots.get(copilot_id)
        return _copilot_not_found(copilot_id) if copilot is None else copilot

    def _list_copilots(self, call: _Call) -> httpx.Response:
        return _json(200, _paged(list(self.copilots.values()), call.params, "id"))

    def _set_copilot(self, copilot: dict[str, Any], body: dict[str, Any]) -> None:
        for key in _COPILOT_FIELDS:
            if key in body:
                if body[key] is None:
                    copilot.pop(key, None)
                else:
                    copilot[key] = body[key]
        if "providerApiKey" in body:
            self.copilot_api_keys[copilot["id"]] = body["providerApiKey"]
        copilot["updatedAt"] = _now_iso()

    def _create_copilot(self, call: _Call) -> httpx.Response:
        body = call.json if isinstance(call.json, dict) else {}
        for key in ("name", "systemPrompt", "providerModel", "providerApiKey"):
            _require(
                isinstance(body.get(key), str) and bool(body[key]),
                f"Value at key '{key}': Required",
            )
        _require(body.get("provider") in PROVIDERS, "Value at key 'provider': unknown provider")
        now = _now_iso()
        copilot: dict[str, Any] = {
            "type": "copilot",
            "id": self._new_id("co"),
            "alwaysUseKnowledge": False,
            "createdAt": now,
        }
        self._set_copilot(copilot, body)
        self.copilots[copilot["id"]] = copilot
        self.knowledge_sources[copilot["id"]] = {}
        return _json(200, copilot)

    def _get_copilot(self, call: _Call, copilot_id: str) -> httpx.Response:
        copilot = self._copilot(copilot_id)
        return copilot if isinstance(copilot, httpx.Response) else _json(200, copilot)

    def _update_copilot(self, call: _Call, copilot_id: str) -> httpx.Response:
        copilot = self._copilot(copilot_id)
        if isinstance(copilot, httpx.Response):
            return copilot
        body = call.json if isinstance(call.json, dict) else {}
        _require("provider" not in body or body["provider"] in PROVIDERS, "unknown provider")
        self._set_copilot(copilot, body)
        return _json(200, copilot)

    def _delete_copilot(self, call: _Call, copilot_id: str) -> httpx.Response:
        copilot = self._copilot(copilot_id)
        if isinstance(copilot, httpx.Response):
            return copilot
        del self.copilots[copilot_id]
        self.copilot_api_keys.pop(copilot_id, None)
        self.knowledge_sources.pop(copilot_id, None)
        return httpx.Response(204)

    # --- knowledge ---

    def _new_source(self, copilot_id: str, kind: str, **fields: Any) -> dict[str, Any]:
        now = _now_iso()
        source = {
            "id": self._new_id("ks"),
            "type": f"ai-knowledge-{kind}-source",
            "status": "ready",
            "createdAt": now,
            "updatedAt": now,
            "lastIndexedAt": now,
            **fields,
        }
        self.knowledge_sources[copilot_id][source["id"]] = source
        return source

    def _add_web_source(self, call: _Call, copilot_id: str) -> httpx.Response:
        copilot = self._copilot(copilot_id)
        if isinstance(copilot, httpx.Response):
            return copilot
        body = call.json if isinstance(call.json, dict) else {}
        _require(body.get("type") in WEB_SOURCE_TYPES, "Value at key 'type': unknown type")
        _require(
            str(body.get("url", "")).startswith(("http://", "https://")), "url: an http(s) URL"
        )
        source = self._new_source(
            copilot_id, "web", link={"url": body["url"], "type": body["type"]}
        )
        return _json(200, {"id": source["id"]})

    def _add_file_source(self, call: _Call, copilot_id: str, name: str) -> httpx.Response:
        copilot = self._copilot(copilot_id)
        if isinstance(copilot, httpx.Response):
            return copilot
        kind = call.headers.get("content-type", "application/octet-stream")
        source = self._new_source(copilot_id, "file", file={"name": name, "mimeType": kind})
        source["content"] = call.content
        return _json(200, {"id": source["id"]})

    def _source(self, copilot_id: str, source_id: str, kind: str | None = None) -> Any:
        sources = self.knowledge_sources.get(copilot_id)
        if sources is None:
            return _copilot_not_found(copilot_id)
        source = sources.get(source_id)
        if source is None or (kind is not None and source["type"] != f"ai-knowledge-{kind}-source"):
            return _source_not_found(source_id)
        return source

    @staticmethod
    def _source_answer(source: dict[str, Any]) -> dict[str, Any]:
        return {k: v for k, v in source.items() if k != "content"}

    def _list_sources(self, call: _Call, copilot_id: str) -> httpx.Response:
        sources = self.knowledge_sources.get(copilot_id)
        if sources is None:
            return _copilot_not_found(copilot_id)
        answers = [self._source_answer(s) for s in sources.values()]
        return _json(200, _paged(answers, call.params, "id"))

    def _get_source(self, call: _Call, copilot_id: str, source_id: str) -> httpx.Response:
        source = self._source(copilot_id, source_id)
        return (
            source
            if isinstance(source, httpx.Response)
            else _json(200, self._source_answer(source))
        )

    def _file_markdown(self, call: _Call, copilot_id: str, source_id: str) -> httpx.Response:
        source = self._source(copilot_id, source_id, "file")
        if isinstance(source, httpx.Response):
            return source
        try:
            content = source["content"].decode("utf-8")
        except UnicodeDecodeError:
            content = ""  # (the fake converts only text files)
        return _json(200, {"id": source_id, "content": content})

    def _web_links(self, call: _Call, copilot_id: str, source_id: str) -> httpx.Response:
        source = self._source(copilot_id, source_id, "web")
        if isinstance(source, httpx.Response):
            return source
        link = {
            "id": f"{source_id}-link",
            "url": source["link"]["url"],
            "status": "ready",
            "createdAt": source["createdAt"],
            "lastIndexedAt": source["lastIndexedAt"],
        }
        return _json(200, _paged([link], call.params, "id"))

    def _delete_source(
        self, call: _Call, copilot_id: str, kind: str, source_id: str
    ) -> httpx.Response:
        source = self._source(copilot_id, source_id, kind)
        if isinstance(source, httpx.Response):
            return source
        del self.knowledge_sources[copilot_id][source_id]
        return httpx.Response(204)


_K = r"/v2/ai/copilots/([^/]+)/knowledge"
AI_ROUTES: dict[tuple[str, str], Callable[..., httpx.Response]] = {
    ("GET", r"/v2/ai/copilots"): AiFake._list_copilots,
    ("POST", r"/v2/ai/copilots"): AiFake._create_copilot,
    ("GET", r"/v2/ai/copilots/([^/]+)"): AiFake._get_copilot,
    ("POST", r"/v2/ai/copilots/([^/]+)"): AiFake._update_copilot,
    ("DELETE", r"/v2/ai/copilots/([^/]+)"): AiFake._delete_copilot,
    ("GET", _K): AiFake._list_sources,
    ("POST", _K + "/web"): AiFake._add_web_source,
    ("PUT", _K + "/file/([^/]+)"): AiFake._add_file_source,
    ("GET", _K + "/file/([^/]+)"): AiFake._file_markdown,
    ("GET", _K + "/web/([^/]+)/links"): AiFake._web_links,
    ("DELETE", _K + "/(web|file)/([^/]+)"): AiFake._delete_source,
    ("GET", _K + "/([^/]+)"): AiFake._get_source,
}
