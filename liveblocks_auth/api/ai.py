"""AI copilots and their knowledge sources (web pages and files they answer from), as
``@liveblocks/node`` manages them: copilots listed, created, read, changed and deleted;
knowledge sources added (a web page, a crawl, a sitemap, or a file), listed, read and deleted.

A copilot's ``provider_api_key`` is a secret of yours: it is sent to Liveblocks, never logged,
never kept in an answer, and a creation is never sent twice."""

from __future__ import annotations

import math
import mimetypes
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from enum import Enum
from pathlib import Path
from typing import IO, Any, Final, Literal

from liveblocks_auth._protocol import ApiRequest, check_json, check_text

from ._operation import (
    Operation,
    Pager,
    no_content,
    ok_json,
    page_size_param,
    parse_time,
    path_segment,
)

__all__ = [
    "PROVIDERS",
    "UNCHANGED",
    "WEB_SOURCE_TYPES",
    "AiCopilot",
    "KnowledgeSource",
    "WebKnowledgeSourceLink",
    "create_ai_copilot",
    "create_file_knowledge_source",
    "create_web_knowledge_source",
    "delete_ai_copilot",
    "delete_file_knowledge_source",
    "delete_web_knowledge_source",
    "get_ai_copilot",
    "get_ai_copilots",
    "get_file_knowledge_source_markdown",
    "get_knowledge_source",
    "get_knowledge_sources",
    "get_web_knowledge_source_links",
    "update_ai_copilot",
]

PROVIDERS = ("openai", "anthropic", "google", "openai-compatible")
WEB_SOURCE_TYPES = ("individual_link", "crawl", "sitemap")
_SETTINGS = {
    "maxTokens": int,
    "temperature": float,
    "topP": float,
    "topK": int,
    "frequencyPenalty": float,
    "presencePenalty": float,
    "stopSequences": list,
    "seed": int,
    "maxRetries": int,
}


class _Unchanged(Enum):
    UNCHANGED = "UNCHANGED"


#: ``update_ai_copilot``'s default: the field is left as it is (None clears it).
UNCHANGED: Final = _Unchanged.UNCHANGED


# --- answers ----------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class AiCopilot:
    """A copilot: its ``provider`` and ``provider_model``, prompts and settings (dates parsed
    as Node parses them). The provider API key is never in an answer. ``raw``: the JSON."""

    id: str
    name: str
    provider: str
    provider_model: str
    system_prompt: str
    description: str | None = None
    knowledge_prompt: str | None = None
    always_use_knowledge: bool = False
    settings: dict[str, Any] = field(default_factory=dict)
    created_at: datetime | None = None
    updated_at: datetime | None = None
    last_used_at: datetime | None = None
    raw: dict[str, Any] = field(default_factory=dict, repr=False, compare=False)

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> AiCopilot:
        return cls(
            id=str(data["id"]),
            name=str(data.get("name")),
            provider=str(data.get("provider")),
            provider_model=str(data.get("providerModel")),
            system_prompt=str(data.get("systemPrompt")),
            description=data.get("description"),
            knowledge_prompt=data.get("knowledgePrompt"),
            always_use_knowledge=data.get("alwaysUseKnowledge") is True,
            settings=dict(data.get("settings") or {}),
            created_at=parse_time(data.get("createdAt")),
            updated_at=parse_time(data.get("updatedAt")),
            last_used_at=parse_time(data.get("lastUsedAt")),
            raw={k: v for k, v in data.items() if k != "providerApiKey"},  # never kept
        )


@dataclass(frozen=True, slots=True)
class KnowledgeSource:
    """A copilot's knowledge source: ``type`` is ``ai-knowledge-web-source`` (``link``: its
    ``url`` and ``type``) or ``ai-knowledge-file-source`` (``file``: ``name``, ``mimeType``);
    ``status`` is ``ingesting``, ``ready`` or ``error`` (with ``error_message``)."""

    id: str
    type: str
    status: str
    link: dict[str, Any] | None = None
    file: dict[str, Any] | None = None
    error_message: str | None = None
    created_at: datetime | None = None
    updated_at: datetime | None = None
    last_indexed_at: datetime | None = None
    raw: dict[str, Any] = field(default_factory=dict, repr=False, compare=False)

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> KnowledgeSource:
        return cls(
            id=str(data["id"]),
            type=str(data.get("type")),
            status=str(data.get("status")),
            link=data.get("link"),
            file=data.get("file"),
            error_message=data.get("errorMessage"),
            created_at=parse_time(data.get("createdAt")),
            updated_at=parse_time(data.get("updatedAt")),
            last_indexed_at=parse_time(data.get("lastIndexedAt")),
            raw=dict(data),
        )


@dataclass(frozen=True, slots=True)
class WebKnowledgeSourceLink:
    """A page a web knowledge source found (a crawl or a sitemap finds several)."""

    id: str
    url: str
    status: str
    created_at: datetime | None = None
    last_indexed_at: datetime | None = None
    raw: dict[str, Any] = field(default_factory=dict, repr=False, compare=False)

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> WebKnowledgeSourceLink:
        return cls(
            id=str(data["id"]),
            url=str(data.get("url")),
            status=str(data.get("status")),
            created_at=parse_time(data.get("createdAt")),
            last_indexed_at=parse_time(data.get("lastIndexedAt")),
            raw=dict(data),
        )


# --- arguments --------------------------------------------------------------------------------


def _text(value: object, setting: str) -> str:
    if not isinstance(value, str) or not value:
        raise ValueError(f"{setting} must be a non-empty string")
    return check_text(value, setting)


def _settings(value: object) -> dict[str, Any]:
    if not isinstance(value, Mapping):
        raise ValueError(f"settings must be a mapping, not {type(value).__name__}")
    for key, item in value.items():
        kind = _SETTINGS.get(key)
        if kind is None:
            raise ValueError(f"settings: unknown key {key!r}; known: {', '.join(_SETTINGS)}")
        if kind is list:
            ok = isinstance(item, list | tuple) and all(isinstance(s, str) for s in item)
        elif kind is int:
            ok = isinstance(item, int) and not isinstance(item, bool)
        else:
            ok = (
                isinstance(item, int | float) and not isinstance(item, bool) and math.isfinite(item)
            )
        if not ok:
            what = "a list of strings" if kind is list else f"a{'n' if kind is int else ''} "
            what += "" if kind is list else ("integer" if kind is int else "number")
            raise ValueError(f"settings[{key!r}] must be {what}")
    return {k: list(v) if isinstance(v, tuple) else v for k, v in value.items()}


def _json_object(value: object, setting: str) -> dict[str, Any]:
    if not isinstance(value, Mapping):
        raise ValueError(f"{setting} must be a mapping, not {type(value).__name__}")
    return dict(check_json(dict(value), setting))


def _provider(
    provider: object, compatible_provider_name: object, provider_base_url: object
) -> dict[str, Any]:
    if provider not in PROVIDERS:
        raise ValueError(f"provider must be one of {', '.join(PROVIDERS)}")
    fields: dict[str, Any] = {"provider": provider}
    compatible = (compatible_provider_name, provider_base_url)
    if provider == "openai-compatible":
        fields["compatibleProviderName"] = _text(
            compatible_provider_name, "compatible_provider_name"
        )
        fields["providerBaseUrl"] = _text(provider_base_url, "provider_base_url")
    elif compatible != (None, None):
        raise ValueError(
            "compatible_provider_name and provider_base_url go with provider='openai-compatible'"
        )
    return fields


def _copilot_path(copilot_id: str, *rest: str) -> str:
    path = f"/v2/ai/copilots/{path_segment(copilot_id, 'copilot_id')}"
    return "/".join((path, *rest))


# --- copilots ---------------------------------------------------------------------------------


def get_ai_copilots(*, page_size: int | None = None) -> Pager[AiCopilot]:
    """The project's copilots, page after page."""
    order = ("limit", "startingAfter")
    return Pager("/v2/ai/copilots", page_size_param(page_size), AiCopilot.from_json, order)


def get_ai_copilot(copilot_id: str) -> Operation[AiCopilot]:
    """One copilot."""
    return AiCopilot.from_json(ok_json((yield ApiRequest("GET", _copilot_path(copilot_id)))))


def create_ai_copilot(
    *,
    name: str,
    system_prompt: str,
    provider: Literal["openai", "anthropic", "google", "openai-compatible"],
    provider_model: str,
    provider_api_key: str,
    description: str | None = None,
    knowledge_prompt: str | None = None,
    always_use_knowledge: bool | None = None,
    settings: Mapping[str, Any] | None = None,
    provider_options: Mapping[str, Any] | None = None,
    compatible_provider_name: str | None = None,
    provider_base_url: str | None = None,
) -> Operation[AiCopilot]:
    """Create a copilot answering with ``provider_model`` of ``provider`` (your
    ``provider_api_key``), told ``system_prompt``. Never sent twice."""
    body: dict[str, Any] = {
        "name": _text(name, "name"),
        "systemPrompt": _text(system_prompt, "system_prompt"),
    }
    body |= _provider(provider, compatible_provider_name, provider_base_url)
    body["providerModel"] = _text(provider_model, "provider_model")
    body["providerApiKey"] = _text(provider_api_key, "provider_api_key")
    if description is not None:
        body["description"] = _text(description, "description")
    if knowledge_prompt is not None:
        body["knowledgePrompt"] = _text(knowledge_prompt, "knowledge_prompt")
    if always_use_knowledge is not None:
        if not isinstance(always_use_knowledge, bool):
            raise ValueError("always_use_knowledge must be True or False")
        body["alwaysUseKnowledge"] = always_use_knowledge
    if settings is not None:
        body["settings"] = _settings(settings)
    if provider_options is not None:
        body["providerOptions"] = _json_object(provider_options, "provider_options")
    request = ApiRequest("POST", "/v2/ai/copilots", body, idempotent=False)
    return AiCopilot.from_json(ok_json((yield request)))


def update_ai_copilot(
    copilot_id: str,
    *,
    name: str | _Unchanged = UNCHANGED,
    system_prompt: str | _Unchanged = UNCHANGED,
    description: str | _Unchanged | None = UNCHANGED,
    knowledge_prompt: str | _Unchanged | None = UNCHANGED,
    always_use_knowledge: bool | _Unchanged = UNCHANGED,
    settings: Mapping[str, Any] | _Unchanged | None = UNCHANGED,
    provider: str | _Unchanged = UNCHANGED,
    provider_model: str | _Unchanged = UNCHANGED,
    provider_api_key: str | _Unchanged = UNCHANGED,
    provider_options: Mapping[str, Any] | _Unchanged | None = UNCHANGED,
    compatible_provider_name: str | _Unchanged = UNCHANGED,
    provider_base_url: str | _Unchanged = UNCHANGED,
) -> Operation[AiCopilot]:
    """Change what is given (None clears ``description``, ``knowledge_prompt``, ``settings``
    and ``provider_options``); the copilot after."""
    body: dict[str, Any] = {}
    for key, setting, value in (
        ("name", "name", name),
        ("systemPrompt", "system_prompt", system_prompt),
        ("providerModel", "provider_model", provider_model),
        ("providerApiKey", "provider_api_key", provider_api_key),
        ("compatibleProviderName", "compatible_provider_name", compatible_provider_name),
        ("providerBaseUrl", "provider_base_url", provider_base_url),
        ("description", "description", description),
        ("knowledgePrompt", "knowledge_prompt", knowledge_prompt),
    ):
        if value is UNCHANGED:
            continue
        clearable = key in ("description", "knowledgePrompt")
        body[key] = None if value is None and clearable else _text(value, setting)
    if provider is not UNCHANGED:
        if provider not in PROVIDERS:
            raise ValueError(f"provider must be one of {', '.join(PROVIDERS)}")
        body["provider"] = provider
    if always_use_knowledge is not UNCHANGED:
        if not isinstance(always_use_knowledge, bool):
            raise ValueError("always_use_knowledge must be True or False")
        body["alwaysUseKnowledge"] = always_use_knowledge
    if settings is not UNCHANGED:
        body["settings"] = None if settings is None else _settings(settings)
    if provider_options is not UNCHANGED:
        body["providerOptions"] = (
            None if provider_options is None else _json_object(provider_options, "provider_options")
        )
    if not body:
        raise ValueError("nothing to change: give at least one field")
    request = ApiRequest("POST", _copilot_path(copilot_id), body, idempotent=True)
    return AiCopilot.from_json(ok_json((yield request)))


def delete_ai_copilot(copilot_id: str) -> Operation[None]:
    """Delete a copilot and its knowledge."""
    return no_content(ApiRequest("DELETE", _copilot_path(copilot_id)))


# --- knowledge sources ------------------------------------------------------------------------


def create_web_knowledge_source(
    copilot_id: str, *, url: str, type: Literal["individual_link", "crawl", "sitemap"]
) -> Operation[str]:
    """Teach the copilot a web page (``individual_link``), a site (``crawl``) or a sitemap's
    pages; the knowledge source's id. Never sent twice."""
    if type not in WEB_SOURCE_TYPES:
        raise ValueError(f"type must be one of {', '.join(WEB_SOURCE_TYPES)}")
    url = _text(url, "url")
    if not url.startswith(("https://", "http://")):
        raise ValueError("url must be an http(s) URL")
    path = _copilot_path(copilot_id, "knowledge", "web")
    body = {"copilotId": copilot_id, "url": url, "type": type}
    return str(ok_json((yield ApiRequest("POST", path, body, idempotent=False)))["id"])


def create_file_knowledge_source(
    copilot_id: str,
    file: bytes | Path | IO[bytes],
    *,
    name: str | None = None,
    mime_type: str | None = None,
) -> Operation[str]:
    """Teach the copilot a file (a PDF, an image...: bytes with ``name``, a ``pathlib.Path``,
    or a binary file), sent as ``mime_type`` (guessed from the name when None); the knowledge
    source's id. Never sent twice."""
    if isinstance(file, bytes | bytearray | memoryview):
        content = bytes(file)
    elif isinstance(file, Path):
        if not file.is_file():
            raise ValueError(f"file {str(file)!r} is not a readable file")
        content, name = file.read_bytes(), name or file.name
    elif hasattr(file, "read"):
        content = file.read()
        name = name or Path(str(getattr(file, "name", "") or "")).name or None
    else:
        raise ValueError(f"file must be bytes, a Path or a binary file, not {type(file).__name__}")
    if not name:
        raise ValueError("name is required: the file name the copilot knows it by")
    kind = mime_type or mimetypes.guess_type(name)[0] or "application/octet-stream"
    path = _copilot_path(copilot_id, "knowledge", "file", path_segment(name, "name"))
    request = ApiRequest("PUT", path, content=content, content_type=kind, idempotent=False)
    return str(ok_json((yield request))["id"])


def get_knowledge_sources(
    copilot_id: str, *, page_size: int | None = None
) -> Pager[KnowledgeSource]:
    """The copilot's knowledge sources, page after page."""
    path = _copilot_path(copilot_id, "knowledge")
    order = ("limit", "startingAfter")
    return Pager(path, page_size_param(page_size), KnowledgeSource.from_json, order)


def get_knowledge_source(copilot_id: str, knowledge_source_id: str) -> Operation[KnowledgeSource]:
    """One knowledge source of the copilot."""
    source = path_segment(knowledge_source_id, "knowledge_source_id")
    request = ApiRequest("GET", _copilot_path(copilot_id, "knowledge", source))
    return KnowledgeSource.from_json(ok_json((yield request)))


def get_file_knowledge_source_markdown(copilot_id: str, knowledge_source_id: str) -> Operation[str]:
    """A file knowledge source's content, as the Markdown the copilot reads."""
    source = path_segment(knowledge_source_id, "knowledge_source_id")
    request = ApiRequest("GET", _copilot_path(copilot_id, "knowledge", "file", source))
    return str(ok_json((yield request)).get("content", ""))


def get_web_knowledge_source_links(
    copilot_id: str, knowledge_source_id: str, *, page_size: int | None = None
) -> Pager[WebKnowledgeSourceLink]:
    """The pages a web knowledge source found, page after page."""
    source = path_segment(knowledge_source_id, "knowledge_source_id")
    path = _copilot_path(copilot_id, "knowledge", "web", source, "links")
    order = ("limit", "startingAfter")
    return Pager(path, page_size_param(page_size), WebKnowledgeSourceLink.from_json, order)


def _delete_source(copilot_id: str, kind: str, knowledge_source_id: str) -> Operation[None]:
    source = path_segment(knowledge_source_id, "knowledge_source_id")
    return no_content(ApiRequest("DELETE", _copilot_path(copilot_id, "knowledge", kind, source)))


def delete_web_knowledge_source(copilot_id: str, knowledge_source_id: str) -> Operation[None]:
    """Forget a web knowledge source."""
    return _delete_source(copilot_id, "web", knowledge_source_id)


def delete_file_knowledge_source(copilot_id: str, knowledge_source_id: str) -> Operation[None]:
    """Forget a file knowledge source."""
    return _delete_source(copilot_id, "file", knowledge_source_id)
