"""AI copilots and knowledge sources: the requests are those of @liveblocks/node
(ai_requests.mjs), answers read as Node and the official Python SDK read them, arguments checked
before anything is sent, creations never sent twice, the provider API key never kept, and the
fake keeps copilots and their knowledge."""

from __future__ import annotations

import itertools
import json
from datetime import datetime
from typing import Any

import pytest

from liveblocks_auth import (
    AiCopilot,
    KnowledgeSource,
    Liveblocks,
    LiveblocksError,
    WebKnowledgeSourceLink,
)
from liveblocks_auth.api.ai import UNCHANGED
from liveblocks_auth.testing import FakeLiveblocks
from tests.core.harness import SECRET
from tests.recording import (
    Seen,
    async_client_agrees,
    differential,
    never_sent_twice,
    recorder_fixture,
    refused_before_sending,
)

COPILOT = {
    "type": "copilot", "id": "co_1", "name": "Helper", "systemPrompt": "You help.",
    "alwaysUseKnowledge": True, "provider": "openai", "providerModel": "gpt-4o",
    "createdAt": "2024-06-01T12:00:00.000Z", "updatedAt": "2024-06-02T12:00:00.000Z",
    "lastUsedAt": "2024-06-03T12:00:00.000Z", "settings": {"maxTokens": 4096}, "future": 1,
}  # fmt: skip
SOURCE = {
    "id": "ks_1", "type": "ai-knowledge-web-source", "status": "error", "errorMessage": "timeout",
    "link": {"url": "https://docs.example.com", "type": "crawl"},
    "createdAt": "2024-06-01T12:00:00.000Z", "updatedAt": "2024-06-01T13:00:00.000Z",
    "lastIndexedAt": "2024-06-01T14:00:00.000Z",
}  # fmt: skip
LINK = {
    "id": "kl_1", "url": "https://docs.example.com/a", "status": "ready",
    "createdAt": "2024-06-01T12:00:00.000Z", "lastIndexedAt": "2024-06-01T14:00:00.000Z",
}  # fmt: skip


_CURSORS = itertools.cycle([None, "c 1", None])  # each run's 3 copilot listings


def _answer(method: str, path: str) -> tuple[int, str, bytes]:
    def ok(data: Any) -> tuple[int, str, bytes]:
        return 200, "application/json", json.dumps(data).encode()

    if method == "DELETE":
        return 204, "application/json", b""
    if path.endswith("/links"):
        return ok({"data": [LINK], "nextCursor": None})
    if path.endswith("/knowledge"):
        return ok({"data": [SOURCE], "nextCursor": None})
    if "/knowledge/" in path:
        if method == "GET" and "/file/" in path:
            return ok({"id": "ks_1", "content": "# Guide\n\ntext"})
        if method == "GET":
            return ok(SOURCE)
        return ok({"id": "ks_2"})
    if path == "/v2/ai/copilots" and method == "GET":
        return ok({"data": [COPILOT], "nextCursor": next(_CURSORS)})
    return ok(COPILOT)


recorder = recorder_fixture(_answer)


def our_calls(lb: Liveblocks) -> list[Any]:
    return [
        list(lb.get_ai_copilots()),
        list(lb.get_ai_copilots(page_size=5)),
        lb.create_ai_copilot(
            name="Helper",
            system_prompt="You help.",
            provider="openai",
            provider_model="gpt-4o",
            provider_api_key="sk-provider-secret",
        ),
        lb.create_ai_copilot(
            name="Local",
            description="on our own model",
            system_prompt="Be brief.",
            knowledge_prompt="Use the docs.",
            always_use_knowledge=True,
            settings={"maxTokens": 512, "temperature": 0.2, "stopSequences": ["END"]},
            provider="openai-compatible",
            provider_model="llama-3",
            compatible_provider_name="ollama",
            provider_base_url="http://localhost:11434/v1",
            provider_api_key="none",
        ),
        lb.get_ai_copilot("co_1"),
        lb.update_ai_copilot("co_1", name="Helper 2", description=None, settings=None),
        lb.delete_ai_copilot("co_1"),
        lb.create_web_knowledge_source("co_1", url="https://docs.example.com", type="crawl"),
        lb.create_file_knowledge_source("co_1", b"%PDF", name="guide (v2).pdf"),
        list(lb.get_knowledge_sources("co_1")),
        lb.get_knowledge_source("co_1", "ks_1"),
        lb.get_file_knowledge_source_markdown("co_1", "ks_1"),
        list(lb.get_web_knowledge_source_links("co_1", "ks_1", page_size=2)),
        lb.delete_file_knowledge_source("co_1", "ks_1"),
        lb.delete_web_knowledge_source("co_1", "ks_1"),
    ]


def _iso(value: datetime | None) -> str | None:
    return (
        None if value is None else value.isoformat(timespec="milliseconds").replace("+00:00", "Z")
    )


def _as_node(item: Any, *dates: str) -> dict[str, Any]:
    names = {"createdAt": "created_at", "updatedAt": "updated_at", "lastUsedAt": "last_used_at",
             "lastIndexedAt": "last_indexed_at"}  # fmt: skip
    return {**item.raw, **{d: _iso(getattr(item, names[d])) for d in dates}}


@pytest.mark.realstack
def test_requests_and_parsed_answers_are_those_of_the_node_sdk(recorder: tuple[str, Seen]) -> None:
    theirs, node, ours = differential("ai_requests.mjs", recorder, our_calls)
    assert [p for _, p, _, _ in theirs[:3]] == [
        "/v2/ai/copilots",
        "/v2/ai/copilots?limit=5",
        "/v2/ai/copilots?limit=5&startingAfter=c+1",
    ]
    assert theirs[3][3]["providerApiKey"] == "sk-provider-secret"
    assert theirs[6][3] == {"name": "Helper 2", "description": None, "settings": None}
    assert theirs[9][:3] == (
        "PUT",
        "/v2/ai/copilots/co_1/knowledge/file/guide%20(v2).pdf",
        "application/pdf",
    )
    assert theirs[9][3] == b"%PDF".hex()
    dates = ("createdAt", "updatedAt", "lastUsedAt")
    assert [_as_node(c, *dates) for c in ours[0]] == node[0]["data"]
    assert [_as_node(c, *dates) for c in ours[1]] == node[1]["data"] + node[2]["data"]
    assert _as_node(ours[2], *dates) == node[3]
    assert (ours[7], ours[8]) == (node[7]["id"], node[8]["id"])
    source_dates = ("createdAt", "updatedAt", "lastIndexedAt")
    assert [_as_node(s, *source_dates) for s in ours[9]] == node[9]["data"]
    assert _as_node(ours[10], *source_dates) == node[10]
    assert ours[11] == node[11] == "# Guide\n\ntext"
    assert [_as_node(k, "createdAt", "lastIndexedAt") for k in ours[12]] == node[12]["data"]


def test_the_async_client_sends_the_same(recorder: tuple[str, Seen]) -> None:
    async_client_agrees(recorder, our_calls)


@pytest.mark.official_sdk
def test_answers_are_read_as_the_official_python_sdk_reads_them() -> None:
    from liveblocks.models import AiCopilotOpenAi, KnowledgeSourceWebSource
    from liveblocks.models import WebKnowledgeSourceLink as OfficialLink

    copilot, official = AiCopilot.from_json(COPILOT), AiCopilotOpenAi.from_dict(COPILOT)
    assert (copilot.id, copilot.name, copilot.provider_model) == (
        official.id,
        official.name,
        official.provider_model,
    )
    assert (copilot.created_at, copilot.last_used_at) == (
        official.created_at,
        official.last_used_at,
    )
    assert copilot.settings == official.settings.to_dict()
    assert copilot.raw["future"] == 1
    source, official_source = (
        KnowledgeSource.from_json(SOURCE),
        KnowledgeSourceWebSource.from_dict(SOURCE),
    )
    assert (source.id, source.status, source.error_message) == (
        official_source.id,
        official_source.status.value,
        official_source.error_message,
    )
    assert source.link == official_source.link.to_dict()
    assert source.last_indexed_at == official_source.last_indexed_at
    link, official_link = WebKnowledgeSourceLink.from_json(LINK), OfficialLink.from_dict(LINK)
    assert (link.url, link.status, link.created_at) == (
        official_link.url,
        official_link.status.value,
        official_link.created_at,
    )


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (
            lambda lb: lb.create_ai_copilot(
                name="a",
                system_prompt="b",
                provider="mistral",
                provider_model="m",
                provider_api_key="k",
            ),
            "provider must be one of openai, anthropic, google, openai-compatible",
        ),
        (
            lambda lb: lb.create_ai_copilot(
                name="a",
                system_prompt="b",
                provider="openai-compatible",
                provider_model="m",
                provider_api_key="k",
            ),
            "compatible_provider_name must be a non-empty string",
        ),
        (
            lambda lb: lb.create_ai_copilot(
                name="a",
                system_prompt="b",
                provider="openai",
                provider_model="m",
                provider_api_key="k",
                provider_base_url="http://x",
            ),
            "go with provider='openai-compatible'",
        ),
        (
            lambda lb: lb.create_ai_copilot(
                name="a",
                system_prompt="b",
                provider="openai",
                provider_model="m",
                provider_api_key="",
            ),
            "provider_api_key must be a non-empty string",
        ),
        (
            lambda lb: lb.create_ai_copilot(
                name="a",
                system_prompt="b",
                provider="openai",
                provider_model="m",
                provider_api_key="k",
                settings={"temp": 1},
            ),
            "settings: unknown key 'temp'",
        ),
        (
            lambda lb: lb.create_ai_copilot(
                name="a",
                system_prompt="b",
                provider="openai",
                provider_model="m",
                provider_api_key="k",
                settings={"maxTokens": 1.5},
            ),
            r"settings\['maxTokens'\] must be an integer",
        ),
        (lambda lb: lb.update_ai_copilot("co_1"), "nothing to change"),
        (lambda lb: lb.update_ai_copilot("co_1", name=None), "name must be a non-empty string"),
        (lambda lb: lb.create_web_knowledge_source("co_1", url="ftp://x", type="crawl"), "http"),
        (
            lambda lb: lb.create_web_knowledge_source("co_1", url="https://x", type="page"),
            "type must be one of",
        ),
        (lambda lb: lb.create_file_knowledge_source("co_1", b"x"), "name is required"),
        (lambda lb: lb.get_knowledge_source("co_1", ".."), "knowledge_source_id"),
    ],
)
def test_bad_arguments_are_refused_before_anything_is_sent(
    fake: FakeLiveblocks, call: Any, message: str
) -> None:
    refused_before_sending(fake, call, message)


def test_creations_are_never_sent_twice_and_the_provider_key_is_never_kept(
    fake: FakeLiveblocks,
) -> None:
    def create(lb: Liveblocks) -> AiCopilot:
        return lb.create_ai_copilot(
            name="a", system_prompt="b", provider="anthropic", provider_model="claude-sonnet-4-6",
            provider_api_key="sk-ant-secret",
        )  # fmt: skip

    never_sent_twice(fake, create)
    with Liveblocks(SECRET, transport=fake) as lb:
        copilot = create(lb)
        never_sent_twice(
            fake,
            lambda lb: lb.create_web_knowledge_source(
                copilot.id, url="https://x.io", type="individual_link"
            ),
        )
        never_sent_twice(
            fake, lambda lb: lb.create_file_knowledge_source(copilot.id, b"x", name="a.txt")
        )
    assert "sk-ant-secret" not in repr(copilot) + json.dumps(copilot.raw)
    assert fake.copilot_api_keys[copilot.id] == "sk-ant-secret"
    echoed = AiCopilot.from_json({**COPILOT, "providerApiKey": "sk-echoed"})
    assert "providerApiKey" not in echoed.raw


def test_the_fake_keeps_copilots_and_their_knowledge(fake: FakeLiveblocks) -> None:
    with Liveblocks(SECRET, transport=fake) as lb:
        copilot = lb.create_ai_copilot(
            name="Docs", system_prompt="Answer from the docs.", provider="google",
            provider_model="gemini-2.5-pro", provider_api_key="k", settings={"temperature": 0.1},
        )  # fmt: skip
        assert (copilot.provider, copilot.settings) == ("google", {"temperature": 0.1})
        changed = lb.update_ai_copilot(copilot.id, description="v2", settings=None)
        assert (changed.description, changed.settings) == ("v2", {})
        assert lb.update_ai_copilot(copilot.id, description=None).description is None
        assert lb.update_ai_copilot(
            copilot.id, name=UNCHANGED, always_use_knowledge=True
        ).always_use_knowledge
        assert [c.id for c in lb.get_ai_copilots(page_size=1)] == [copilot.id]
        web = lb.create_web_knowledge_source(
            copilot.id, url="https://docs.example.com", type="sitemap"
        )
        text = lb.create_file_knowledge_source(copilot.id, b"# Guide\nRead me.", name="guide.md")
        sources = {s.id: s for s in lb.get_knowledge_sources(copilot.id)}
        assert sources[web].link == {"url": "https://docs.example.com", "type": "sitemap"}
        assert sources[text].file == {"name": "guide.md", "mimeType": "text/markdown"}
        assert lb.get_file_knowledge_source_markdown(copilot.id, text) == "# Guide\nRead me."
        assert [k.url for k in lb.get_web_knowledge_source_links(copilot.id, web)] == [
            "https://docs.example.com"
        ]
        lb.delete_web_knowledge_source(copilot.id, web)
        with pytest.raises(LiveblocksError) as wrong_kind:
            lb.delete_web_knowledge_source(copilot.id, text)
        assert wrong_kind.value.status == 404
        lb.delete_file_knowledge_source(copilot.id, text)
        assert list(lb.get_knowledge_sources(copilot.id)) == []
        lb.delete_ai_copilot(copilot.id)
        with pytest.raises(LiveblocksError) as gone:
            lb.get_ai_copilot(copilot.id)
        assert (gone.value.status, gone.value.code) == (404, "COPILOT_NOT_FOUND")
