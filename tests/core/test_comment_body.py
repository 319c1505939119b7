"""Comment-body helpers against the pinned ``@liveblocks/node`` (comment_bodies.mjs in
tests/realstack): on 1,500 generated bodies (formatting, escaping, links safe and unsafe,
mentions of users and groups resolved or not, odd elements) and 3,000 generated URLs, our output
is Node's, character for character."""

from __future__ import annotations

import asyncio
import json
import random
import subprocess
from pathlib import Path
from typing import Any

import pytest

from liveblocks_auth import (
    get_mentions_from_comment_body,
    stringify_comment_body,
    stringify_comment_body_async,
)
from liveblocks_auth.comment_body import sanitize_url

REALSTACK = Path(__file__).resolve().parents[1] / "realstack"
TRICKY = "_*#`~!|(){}[]&<>\"' \\/.:-@"
WORDS = ["hello", "Ann", "x", "", " ", "ü", "日本", "a_b", "**", "<b>", "&amp;", "1. item", "\n"]


def _text(rng: random.Random) -> str:
    if rng.random() < 0.5:
        return rng.choice(WORDS)
    return "".join(rng.choice(TRICKY + "abcXYZ09é") for _ in range(rng.randint(0, 12)))


SCHEMES = [
    "http://",
    "https://",
    "HTTP://",
    "HtTpS://",
    "ftp://",
    "javascript:",
    "mailto:",
    "",
    "",
    "//",
]
HOSTS = [
    "example.com", "EXAMPLE.com", "sub.ex-ample.co.uk", "127.0.0.1", "0x7f.1", "010.0.0.1",
    "[::1]", "[2001:DB8::1]", "localhost", "user:pw@host.io", "host.io:8080", "host.io:80",
    "host.io:443", "host.io:", "bücher.de", "xn--bcher-kva.de", "a..b", "-x.com", "x.com.",
    "256.1.1.1", "1.2.3", "host.io:99999", "ex%41mple.com", "",
]  # fmt: skip
SEGMENTS = ["a", "..", ".", "%2e", "%2E%2e", "a b", "ü", "x%20y", "", "b.html", "{x}", "`q`", 'a"b']
#: Hosts where the URL standard's IDNA rules decide (UTS 46 mapping, Punycode, joiners).
IDN_HOSTS = [
    "BÜCHER.de", "faß.de", "☃.net", "例え.jp", "💩.la", "a\u200cb.com",
    "\uff21\uff22\uff23.com", "a_b.com", "münchen-.de", "%C3%BC.de", "\u0301a.de", "שלום.il",
    "a\u05d0.com", "\u00ad.de", "Ⅻ.de", "xn--a.de", "xn--ab-j1t.com", "xn--ss-.de", "xn--.de",
    "XN--BCHER-KVA.de", "xn--bcher-kv", "x.\u3002y", "4294967295", "0x100.1",
    "[::ffff:1.2.3.4]", "[1::2::3]", "[0:0:1:0:0:1:0:0]", "[1:0:0:2:0:0:0:3]",
    "[1:0:2:0:3:0:4:0]", "[::]", "[1:2:3:4:5:6:7:8]", "[FFFF::0001]",
]  # fmt: skip
QUERIES = ["", "?", "?q=1", "?a b", "?'x'", '?"<>"', "?ü=1", "?x#", "?#"]
FRAGMENTS = ["", "#", "#h", "#a b", "#`x`", "#<ü>"]


def _url(rng: random.Random) -> str:
    shape = rng.random()
    path = "/".join(rng.choice(SEGMENTS) for _ in range(rng.randint(0, 3)))
    tail = rng.choice(QUERIES) + rng.choice(FRAGMENTS)
    if shape < 0.6:
        url = (
            rng.choice(SCHEMES)
            + rng.choice(HOSTS)
            + ("/" + path if path or rng.random() < 0.3 else "")
            + tail
        )
    elif shape < 0.7:
        url = "www." + rng.choice(HOSTS[:3]) + "/" + path + tail
    elif shape < 0.9:
        url = rng.choice(["/", "", "../", "./"]) + path + tail
    else:
        url = rng.choice(["#", "#x", "?q", "", "https:", "https:x.io", "https:\\\\x.io\\a"])
    if rng.random() < 0.1:
        url = rng.choice([" ", "\t", "\n "]) + url
    if rng.random() < 0.1:
        position = rng.randint(0, len(url))
        url = url[:position] + rng.choice(["\t", "\n", " ", "\\"]) + url[position:]
    if rng.random() < 0.05:
        url += rng.choice([" ", "/"])
    return url


def _inline(rng: random.Random, ids: list[str]) -> dict[str, Any]:
    roll = rng.random()
    if roll < 0.5:
        element: dict[str, Any] = {"text": _text(rng)}
        for flag in ("bold", "italic", "strikethrough", "code"):
            if rng.random() < 0.3:
                element[flag] = rng.random() < 0.9
        return element
    if roll < 0.7:
        link: dict[str, Any] = {"type": "link", "url": _url(rng)}
        if rng.random() < 0.6:
            link["text"] = _text(rng)
        return link
    if roll < 0.95:
        mention: dict[str, Any] = {"type": "mention", "id": rng.choice(ids)}
        kind = rng.choice(["user", "user", "group", None])
        if kind:
            mention["kind"] = kind
        return mention
    return rng.choice([{"type": "custom", "x": 1}, {"nope": True}, {"text": 3}])


def _case(rng: random.Random) -> dict[str, Any]:
    ids = ["u1", "u2", "g1", "Ann<3", "", "x_y"]
    content: list[dict[str, Any]] = []
    for _ in range(rng.randint(0, 4)):
        if rng.random() < 0.1:
            content.append({"type": "quote", "children": [_inline(rng, ids)]})
        else:
            children = [_inline(rng, ids) for _ in range(rng.randint(0, 5))]
            content.append({"type": "paragraph", "children": children})
    names = [{"name": "Ann"}, {"name": "<Bob & 'Co'>"}, {"name": "_x_"}, {"name": ""}, {}, None]
    users = {i: rng.choice(names) for i in ids} if rng.random() < 0.7 else None
    groups = {i: rng.choice(names) for i in ids} if rng.random() < 0.5 else None
    separator = rng.choice([None, None, " | ", "", "\n---\n"])
    return {
        "body": {"version": 1, "content": content},
        "users": users,
        "groups": groups,
        "separator": separator,
    }


def _node(cases: list[dict[str, Any]], urls: list[str]) -> dict[str, Any]:
    done = subprocess.run(
        ["node", "comment_bodies.mjs"],
        input=json.dumps({"cases": cases, "urls": urls}),
        capture_output=True,
        text=True,
        cwd=REALSTACK,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)  # type: ignore[no-any-return]


def _resolver(table: dict[str, Any] | None) -> Any:
    if table is None:
        return None
    return lambda ids: [table.get(i) for i in ids]


@pytest.fixture(scope="module")
def generated() -> tuple[list[dict[str, Any]], list[str], dict[str, Any]]:
    rng = random.Random(20261207)
    cases = [_case(rng) for _ in range(1500)]
    urls = [_url(rng) for _ in range(3000)] + [f"https://{host}/x" for host in IDN_HOSTS]
    return cases, urls, _node(cases, urls)


def test_sanitized_urls_are_nodes(generated: Any) -> None:
    _, urls, node = generated
    different = [
        (url, ours, theirs)
        for url, theirs in zip(urls, node["urls"], strict=True)
        if (ours := sanitize_url(url)) != theirs
    ]
    assert different == []
    assert 0 < node["urls"].count(None) < len(urls) / 2  # both kinds were generated


@pytest.mark.parametrize("format", ["plain", "markdown", "html"])
def test_stringified_bodies_are_nodes(generated: Any, format: str) -> None:
    cases, _, node = generated
    different = []
    for case, theirs in zip(cases, node["results"], strict=True):
        ours = stringify_comment_body(
            case["body"],
            format=format,  # type: ignore[arg-type]
            separator=case["separator"],
            resolve_users=_resolver(case["users"]),
            resolve_groups_info=_resolver(case["groups"]),
        )
        if ours != theirs[format]:
            different.append((case, ours, theirs[format]))
    assert different[:3] == []


def test_mentions_are_nodes(generated: Any) -> None:
    cases, _, node = generated
    for case, theirs in zip(cases, node["results"], strict=True):
        assert get_mentions_from_comment_body(case["body"]) == theirs["mentions"]


BODY = {
    "version": 1,
    "content": [
        {
            "type": "paragraph",
            "children": [
                {"text": "Hi "},
                {"type": "mention", "kind": "user", "id": "ann"},
                {"text": ", see "},
                {"type": "link", "url": "https://example.com/a?b=1", "text": "this"},
                {"text": " <now>", "bold": True},
            ],
        }
    ],
}


def test_the_three_formats_on_one_body() -> None:
    users = lambda ids: [{"name": "Ann Lee"} for _ in ids]  # noqa: E731
    assert stringify_comment_body(BODY, resolve_users=users) == ("Hi @Ann Lee, see this <now>")
    assert stringify_comment_body(BODY, format="markdown") == (
        "Hi @ann, see [this](https://example.com/a?b=1)** <now>**"
    )
    assert stringify_comment_body(BODY, format="html") == (
        '<p>Hi <span data-mention>@ann</span>, see <a href="https://example.com/a?b=1" '
        'target="_blank" rel="noopener noreferrer">this</a><strong> &lt;now&gt;</strong></p>'
    )


def test_async_resolvers_and_the_async_form() -> None:
    asked: list[list[str]] = []

    async def users(ids: list[str]) -> list[dict[str, str]]:
        asked.append(ids)
        return [{"name": "Ann Lee"}]

    assert stringify_comment_body(BODY, resolve_users=users).startswith("Hi @Ann Lee")
    result = asyncio.run(stringify_comment_body_async(BODY, format="html", resolve_users=users))
    assert "@Ann Lee</span>" in result
    assert asked == [["ann"], ["ann"]]  # one call per body, with every user id once
    with pytest.raises(ValueError, match='format must be "plain", "markdown" or "html"'):
        stringify_comment_body(BODY, format="rtf")  # type: ignore[arg-type]


def test_the_docs_example_prints_what_the_docs_say(capsys: pytest.CaptureFixture[str]) -> None:
    from tests.readme import DOCS, blocks_of, readme_block, run_block

    page = DOCS / "comment-bodies.md"
    run_block(readme_block("comment-body", page), {}, page)
    text = page.read_text()
    shown = text.split("<!-- fragment (the output of the block above) -->\n```text\n")[1]
    assert capsys.readouterr().out == shown.split("```")[0]
    assert "comment-body" in blocks_of(page)


def test_the_markdown_example_prints_what_the_docs_say(capsys: pytest.CaptureFixture[str]) -> None:
    from tests.readme import DOCS, readme_block, run_block

    page = DOCS / "comment-bodies.md"
    run_block(readme_block("markdown-body", page), {}, page)
    text = page.read_text()
    shown = text.split("<!-- fragment (the output of the block above) -->\n```text\n")[2]
    assert capsys.readouterr().out == shown.split("```")[0]
