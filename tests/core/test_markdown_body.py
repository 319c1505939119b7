"""markdown_to_comment_body against the pinned ``@liveblocks/node``'s markdownToCommentBody
(markdown_bodies.mjs): on generated Markdown of what bots and people write (paragraphs,
headings, lists and tasks, quotes, code, tables, emphasis, links and bare URLs, mentions,
escapes, entities, inline HTML), the bodies are Node's, element for element."""

from __future__ import annotations

import json
import random
import subprocess
from pathlib import Path
from typing import Any

import pytest

from liveblocks_auth import markdown_to_comment_body

REALSTACK = Path(__file__).resolve().parents[1] / "realstack"
WORDS = ["hello", "world", "Ship", "it", "x", "日本", "ünï", "a_b", "1.5", "(see)", "end."]
INLINES = [
    "@alice", "@bob.", "@carol-", "@dave_x!", "bob@example.com", "@a@b", "x@y",
    "**bold**", "*italic*", "_under_", "__strong__", "~~gone~~", "`code`", "``a b``",
    "***both***", "**a *b* c**", "*a **b** c*", "~~**x**~~",
    "[link](https://example.com/a?b=1)", "[t](http://x.y \"title\")", "[**b** t](https://z.z)",
    "[bad](javascript:alert(1))", "[rel](/relative/path)",
    "<https://auto.link/x>", "https://bare.example.com/path", "see https://a.io/x.",
    "www.example.org", "(https://paren.io/a)", "ftp://files.example.net/f",
    "\\*not\\*", "\\_", "\\\\", "&amp;", "&copy;", "&#65;", "<b>tag</b>", "<br/>",
    "![alt](img.png)", "1 < 2 > 0", "a * b", "snake_case_word", "~tilde~",
]  # fmt: skip


def _line(rng: random.Random) -> str:
    parts = [rng.choice(WORDS if rng.random() < 0.5 else INLINES) for _ in range(rng.randint(1, 6))]
    return " ".join([*parts, rng.choice(WORDS)])  # (a URL ending a line would swallow a "\\")


def _paragraph(rng: random.Random) -> str:
    lines = [_line(rng) for _ in range(rng.randint(1, 3))]
    return rng.choice(["\n", "  \n", "\\\n"]).join(lines)


def _block(rng: random.Random, depth: int = 0) -> str:
    kind = rng.choice(
        ["p", "p", "p", "h", "ul", "ol", "task", "quote", "fence", "indent", "table", "hr", "html"]
    )
    if depth > 1 and kind in ("ul", "ol", "task", "quote"):
        kind = "p"
    if kind == "p":
        return _paragraph(rng)
    if kind == "h":
        return "#" * rng.randint(1, 4) + " " + _line(rng)
    if kind in ("ul", "ol", "task"):
        start = rng.choice([1, 1, 3])
        items = []
        for index in range(rng.randint(1, 3)):
            marker = f"{start + index}." if kind == "ol" else rng.choice(["-", "*"])
            box = rng.choice(["[ ] ", "[x] ", "[X] ", ""]) if kind == "task" else ""
            item = f"{marker} {box}{_line(rng)}"
            if rng.random() < 0.25:
                nested = _block(rng, depth + 2).replace("\n", "\n" + " " * (len(marker) + 1))
                item += "\n" + " " * (len(marker) + 1) + nested
            items.append(item)
        return rng.choice(["\n", "\n\n"]).join(items)
    if kind == "quote":
        inner = _block(rng, depth + 1)
        return "\n".join("> " + line if line else ">" for line in inner.split("\n"))
    if kind == "fence":
        return "```" + rng.choice(["", "py"]) + "\n" + _line(rng) + "\n" + _line(rng) + "\n```"
    if kind == "indent":
        return "    " + _line(rng) + "\n    " + _line(rng)
    if kind == "table":
        align = rng.choice(["---", ":--", "--:", ":-:"])
        return f"| {_line(rng)} | b |\n| {align} | --- |\n| 1 | {_line(rng)} |"
    if kind == "hr":
        return rng.choice(["---", "***", "___"])
    return "<div>\n" + _line(rng) + "\n</div>"


def _document(rng: random.Random) -> str:
    blocks = [_block(rng) for _ in range(rng.randint(1, 4))]
    # (An indented block right after a list continues its last item, indented: marked keeps
    # the indentation in the text, CommonMark does not. Not what anyone writes on purpose.)
    for index in range(1, len(blocks)):
        if blocks[index].startswith("    ") and blocks[index - 1][:1] in "-*123":
            blocks[index] = "```\n" + blocks[index].replace("    ", "") + "\n```"
    return "\n\n".join(blocks)


def _node(texts: list[str]) -> list[Any]:
    done = subprocess.run(
        ["node", "markdown_bodies.mjs"],
        input=json.dumps(texts),
        capture_output=True,
        text=True,
        cwd=REALSTACK,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)  # type: ignore[no-any-return]


@pytest.mark.realstack
def test_generated_markdown_gives_node_s_bodies() -> None:
    rng = random.Random(20261208)
    texts = [_document(rng) for _ in range(1200)]
    theirs = _node(texts)
    differ = [
        (text, mine, node)
        for text, node in zip(texts, theirs, strict=True)
        if (mine := markdown_to_comment_body(text)) != node
    ]
    assert differ == []


def test_a_bot_s_markdown_becomes_a_body() -> None:
    body = markdown_to_comment_body(
        "**Build failed** on `main`, @alice: see https://ci.example.com/42.\n\n"
        "- [x] tests\n- [ ] deploy\n\n[details](javascript:alert(1))"
    )
    assert body == {
        "version": 1,
        "content": [
            {
                "type": "paragraph",
                "children": [
                    {"text": "Build failed", "bold": True},
                    {"text": " on "},
                    {"text": "main", "code": True},
                    {"text": ", "},
                    {"type": "mention", "kind": "user", "id": "alice"},
                    {"text": ": see "},
                    {
                        "type": "link",
                        "url": "https://ci.example.com/42",
                        "text": "https://ci.example.com/42",
                    },
                    {"text": "."},
                ],
            },
            {"type": "paragraph", "children": [{"text": "- [x] "}, {"text": "tests"}]},
            {"type": "paragraph", "children": [{"text": "- [ ] "}, {"text": "deploy"}]},
            {"type": "paragraph", "children": [{"text": "details"}]},  # an unsafe link: its text
        ],
    }


def test_what_is_not_markdown_is_refused_and_a_missing_parser_is_named(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    import sys

    from liveblocks_auth import _markdown

    with pytest.raises(ValueError, match="markdown must be a string, not bytes"):
        markdown_to_comment_body(b"**x**")  # type: ignore[arg-type]
    monkeypatch.setattr(_markdown, "_PARSER", None)
    monkeypatch.setitem(sys.modules, "markdown_it", None)
    with pytest.raises(ImportError, match=r"pip install 'liveblocks-auth\[markdown\]'"):
        markdown_to_comment_body("x")
