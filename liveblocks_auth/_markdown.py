"""Markdown to a comment body, as ``@liveblocks/node``'s ``markdownToCommentBody`` builds one.

Node reads Markdown with ``marked`` (GFM); this reads it with markdown-it-py (CommonMark,
tables and strikethrough), a well-kept, widely used parser, and adds what GFM has beyond
them as marked does it: bare URLs become links, ``- [x]`` items are tasks. Then the same
conversion: a paragraph per paragraph, heading, list item, code block and table row (list
markers, ``#`` and ``>`` written out as text), bold, italic, strikethrough and code kept,
links safe or shown as text, ``@user`` mentions. ``tests/core/test_markdown_body.py``
compares the output with Node's on generated Markdown.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from typing import Any, cast

from .comment_body import CommentBody, CommentBodyInline, CommentBodyParagraph, sanitize_url

__all__ = ["markdown_to_comment_body"]

Token = Any  # markdown_it.token.Token
Formatting = dict[str, bool]

_MENTION = re.compile(r"(^|[^A-Za-z0-9_.-])@([A-Za-z0-9_][A-Za-z0-9_.@-]*)")
#: JavaScript's \s.
_JS_SPACE = " \t\n\v\f\r\u00a0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008"
_JS_SPACE += "\u2009\u200a\u2028\u2029\u202f\u205f\u3000\ufeff"
#: marked's GFM bare-URL rule (the e-mail branch left out: the Node SDK drops mailto links).
_URL = re.compile(rf"((?:ftp|https?)://|www\.)(?:[a-zA-Z0-9\-]+\.?)+[^{_JS_SPACE}<]*", re.I)
_URL_START = re.compile(r"https?://|ftp://|www\.", re.I)
_BACKPEDAL = re.compile(
    r"""(?:[^?!.,:;*_'"~()&]+|\([^)]*\)|&(?![a-zA-Z0-9]+;$)|[?!.,:;*_'"~)]+(?!$))+"""
)
_TASK = re.compile(r"\[[ xX]\] ")
_TASK_PREFIX = re.compile(r"\[[ xX]\] +")
_FLAGS = {"strong_open": "bold", "em_open": "italic", "s_open": "strikethrough"}
_ALIGN = {"left": ":---", "center": ":---:", "right": "---:"}


def _parser() -> Any:
    try:
        from markdown_it import MarkdownIt
    except ImportError:
        raise ImportError(
            "markdown_to_comment_body needs markdown-it-py: pip install 'liveblocks-auth[markdown]'"
        ) from None

    class Parser(MarkdownIt):
        """hrefs as written, and every link a link: sanitize_url decides, as in Node."""

        def normalizeLink(self, url: str) -> str:
            return url

        def normalizeLinkText(self, link: str) -> str:
            return link

        def validateLink(self, url: str) -> bool:
            return True

    md = Parser("commonmark", {"html": True}).enable(["table", "strikethrough"])
    # Escapes and entities stay tokens of their own, as in marked.
    md.core.ruler.disable("text_join")
    md.inline.ruler.before("strikethrough", "single_tilde", _single_tilde)
    return md


_PARSER: Any = None
#: marked's GFM strikethrough, which also takes one tilde (``~gone~``).
_DEL = re.compile(r"(~~?)(?=[^\s~])((?:\\.|[^\\])*?(?:\\.|[^\s~\\]))\1(?=[^~]|$)", re.S)


def _single_tilde(state: Any, silent: bool) -> bool:
    """``~text~`` as strikethrough, as marked reads it (``~~`` is markdown-it's own rule)."""
    if state.src[state.pos] != "~":
        return False
    match = _DEL.match(state.src[: state.posMax], state.pos)
    if match is None or len(match.group(1)) != 1:
        return False
    if not silent:
        state.push("s_open", "s", 1)
        end = state.posMax
        state.pos, state.posMax = match.start(2), match.end(2)
        state.md.inline.tokenize(state)
        state.posMax = end
        state.push("s_close", "s", -1)
    state.pos = match.end()
    return True


def markdown_to_comment_body(markdown: str) -> CommentBody:
    """A comment body from ``markdown`` (see the module's docstring)."""
    global _PARSER
    if not isinstance(markdown, str):
        raise ValueError(f"markdown must be a string, not {type(markdown).__name__}")
    if _PARSER is None:
        _PARSER = _parser()
    tokens = _PARSER.parse(markdown)
    lines = markdown.split("\n")
    return {"version": 1, "content": _blocks(_tree(tokens, lines), 0, 0)}


# --- markdown-it's token stream as a tree of blocks ------------------------------------------


def _tree(
    tokens: Sequence[Token], lines: Sequence[str], nested: bool = False
) -> list[dict[str, Any]]:
    """The blocks of ``tokens``: paragraph/heading (``inline``), blockquote/list item
    (``children``), list (``items``, ``ordered``, ``start``), code (``text``), table, html."""
    blocks: list[dict[str, Any]] = []
    i = 0
    while i < len(tokens):
        token = tokens[i]
        kind = token.type
        if kind in ("paragraph_open", "heading_open"):
            depth = int(token.tag[1]) if kind == "heading_open" else 0
            setext = depth > 0 and token.markup in ("=", "-")
            blocks.append(
                {"type": "paragraph", "heading": depth, "setext": setext, "inline": tokens[i + 1]}
            )
            i += 3
            continue
        if kind in ("blockquote_open", "bullet_list_open", "ordered_list_open"):
            end = _closing(tokens, i)
            inner = tokens[i + 1 : end]
            if kind == "blockquote_open":
                blocks.append({"type": "blockquote", "children": _tree(inner, lines, True)})
            else:
                start = token.attrGet("start")
                blocks.append(
                    {
                        "type": "list",
                        "ordered": kind == "ordered_list_open",
                        "start": int(start) if start is not None else 1,
                        "items": _list_items(inner, lines),
                    }
                )
            i = end + 1
            continue
        if kind == "fence":
            text = token.content[:-1] if token.content.endswith("\n") else token.content
            blocks.append({"type": "code", "text": text})
        elif kind == "code_block":
            blocks.append({"type": "code", "text": token.content.rstrip("\n")})
        elif kind == "table_open":
            end = _closing(tokens, i)
            blocks.append({"type": "table", "rows": _table(tokens[i + 1 : end])})
            i = end + 1
            continue
        elif kind == "html_block":
            # marked keeps the blank lines after the block in its text, but a list item's or
            # a quote's text ends without them
            blank = _blank_lines_after(lines, token.map[1]) if token.map else 0
            blocks.append({"type": "html", "text": token.content + "\n" * blank, "blank": blank})
        i += 1
    if nested and blocks and blocks[-1]["type"] == "html":
        blocks[-1]["text"] = blocks[-1]["text"].rstrip("\n")
    return blocks


def _list_items(tokens: Sequence[Token], lines: Sequence[str]) -> list[list[dict[str, Any]]]:
    """Each item's blocks. An item's text in marked ends without its last newline, unless a
    blank line follows and another item comes: an HTML block that ends one shows it."""
    items = [_tree(item, lines, True) for item in _items(tokens)]
    for item in items[:-1]:
        if item and item[-1]["type"] == "html" and item[-1]["blank"]:
            item[-1]["text"] += "\n"
    return items


def _blank_lines_after(lines: Sequence[str], index: int) -> int:
    """How many blank lines (of a quote too: ``>`` alone) follow line ``index``."""
    count = 0
    while index + count < len(lines) and not lines[index + count].lstrip(" >\t"):
        count += 1
    return count


def _closing(tokens: Sequence[Token], start: int) -> int:
    """The index of the token closing ``tokens[start]``."""
    level = 0
    for index in range(start, len(tokens)):
        level += tokens[index].nesting
        if level == 0:
            return index
    return len(tokens) - 1


def _items(tokens: Sequence[Token]) -> Iterator[Sequence[Token]]:
    i = 0
    while i < len(tokens):
        end = _closing(tokens, i)
        yield tokens[i + 1 : end]
        i = end + 1


def _table(tokens: Sequence[Token]) -> list[str]:
    """The table as marked's rows of plain text: header, alignment, body rows."""
    rows: list[list[str]] = []
    align: list[str] = []
    for token in tokens:
        if token.type == "tr_open":
            rows.append([])
        elif token.type == "th_open":
            style = token.attrGet("style") or ""
            align.append(_ALIGN.get(style.removeprefix("text-align:"), "---"))
        elif token.type == "inline":
            rows[-1].append(_plain(token.children or []))
    lines = [f"| {' | '.join(cells)} |" for cells in rows]
    return [lines[0], f"| {' | '.join(align)} |", *lines[1:]] if lines else []


# --- blocks to paragraphs (Node's tokensToCommentBodyParagraphs) --------------------------------


def _prefixed(paragraph: CommentBodyParagraph, prefix: str) -> CommentBodyParagraph:
    if not prefix:
        return paragraph
    return {"type": "paragraph", "children": [{"text": prefix}, *paragraph["children"]]}


def _blocks(blocks: list[dict[str, Any]], list_depth: int, quotes: int) -> list[Any]:
    out: list[CommentBodyParagraph] = []
    quote = "> " * quotes
    for block in blocks:
        kind = block["type"]
        if kind == "paragraph":
            children = _inlines(block["inline"].children or [], {})
            if children:
                heading = "#" * block["heading"] + " " if block["heading"] else ""
                out.append(_prefixed({"type": "paragraph", "children": children}, quote + heading))
        elif kind == "blockquote":
            out += _blocks(block["children"], list_depth, quotes + 1)
        elif kind == "list":
            out += _list(block, list_depth, quote)
        elif kind == "code":
            out.append(
                _prefixed({"type": "paragraph", "children": [{"text": block["text"]}]}, quote)
            )
        elif kind == "table":
            out += [
                {"type": "paragraph", "children": [{"text": quote + row}]} for row in block["rows"]
            ]
        elif kind == "html":
            children = []
            _append_mentions(children, block["text"], {})
            if children:
                out.append(_prefixed({"type": "paragraph", "children": children}, quote))
    return out


def _list(block: dict[str, Any], list_depth: int, quote: str) -> list[CommentBodyParagraph]:
    out: list[CommentBodyParagraph] = []
    for index, item in enumerate(block["items"]):
        marker = f"{block['start'] + index}. " if block["ordered"] else "- "
        prefix = "  " * list_depth + marker + _task(item)
        paragraphs = _blocks(item, list_depth + 1, 0)
        if not paragraphs:
            out.append({"type": "paragraph", "children": [{"text": quote + prefix}]})
            continue
        out.append(_prefixed(paragraphs[0], quote + prefix))
        out += [_prefixed(paragraph, quote) for paragraph in paragraphs[1:]]
    return out


def _task(item: list[dict[str, Any]]) -> str:
    """``"[x] "`` or ``"[ ] "`` for a GFM task item (its box taken out of its text), else ``""``."""
    if not item or item[0]["type"] != "paragraph" or (item[0]["heading"] and not item[0]["setext"]):
        return ""
    children = item[0]["inline"].children or []
    if not children or children[0].type != "text" or not _TASK.match(children[0].content):
        return ""
    box = children[0].content[:3]
    children[0].content = _TASK_PREFIX.sub("", children[0].content, count=1)
    return "[ ] " if box == "[ ]" else "[x] "


# --- inline tokens (Node's tokensToCommentBodyInlines) ----------------------------------------


def _inlines(tokens: Sequence[Token], formatting: Formatting) -> list[CommentBodyInline]:
    out: list[CommentBodyInline] = []
    pending: list[str] = []

    def flush() -> None:
        if pending:
            _append_text(out, "".join(pending), formatting)
            pending.clear()

    i = 0
    while i < len(tokens):
        token = tokens[i]
        kind = token.type
        if kind == "text":
            pending.append(token.content)
        elif kind == "softbreak":
            pending.append("\n")
        elif kind == "text_special" and token.info == "entity":
            pending.append(token.markup)  # marked keeps entities as written
        else:
            flush()
            if kind == "text_special":  # an escape: a token of its own in marked
                _append_mentions(out, token.content, formatting)
            elif kind == "hardbreak":
                out.append(cast(CommentBodyInline, {"text": "\n", **formatting}))
            elif kind in _FLAGS:
                end = _closing(tokens, i)
                out += _inlines(tokens[i + 1 : end], {**formatting, _FLAGS[kind]: True})
                i = end
            elif kind == "code_inline":
                out.append(
                    cast(CommentBodyInline, {"text": token.content, **formatting, "code": True})
                )
            elif kind == "link_open":
                end = _closing(tokens, i)
                _append_link(
                    out, token.attrGet("href") or "", _plain(tokens[i + 1 : end]), formatting
                )
                i = end
            elif kind == "image":
                _append_plain(out, _image_source(token), formatting)
            elif kind == "html_inline":
                _append_mentions(out, token.content, formatting)
        i += 1
    flush()
    return out


def _append_plain(out: list[CommentBodyInline], text: str, formatting: Formatting) -> None:
    if text:
        out.append(cast(CommentBodyInline, {"text": text, **formatting}))


def _append_link(
    out: list[CommentBodyInline], href: str, text: str, formatting: Formatting
) -> None:
    url = sanitize_url(href)
    if url is None:
        _append_plain(out, text, formatting)
    else:
        out.append({"type": "link", "url": url, "text": text})


def _append_text(out: list[CommentBodyInline], text: str, formatting: Formatting) -> None:
    """Plain text, with its bare URLs as links (marked's GFM rule) and its mentions."""
    cursor = 0
    search = 0
    while (start := _URL_START.search(text, search)) is not None:
        match = _URL.match(text, start.start())
        if match is None:
            search = start.start() + 1
            continue
        found = match.group(0)
        while True:  # marked's backpedal: no trailing punctuation
            shorter = _BACKPEDAL.search(found)
            previous, found = found, shorter.group(0) if shorter else ""
            if found == previous:
                break
        _append_mentions(out, text[cursor : start.start()], formatting)
        href = "http://" + found if match.group(1).lower() == "www." else found
        _append_link(out, href, found, formatting)
        cursor = search = start.start() + len(found)
        if not found:
            search += 1
    _append_mentions(out, text[cursor:], formatting)


def _append_mentions(out: list[CommentBodyInline], text: str, formatting: Formatting) -> None:
    """``text`` with its ``@user`` mentions (Node's appendTextWithMentions)."""
    cursor = 0
    for match in _MENTION.finditer(text):
        at = match.start() + len(match.group(1))
        start = at + 1
        end = start + len(match.group(2))
        while (
            end > start and text[end - 1] in ".-" and (end == len(text) or text[end] in _JS_SPACE)
        ):
            end -= 1
        if at > cursor:
            out.append(cast(CommentBodyInline, {"text": text[cursor:at], **formatting}))
        out.append({"type": "mention", "kind": "user", "id": text[start:end]})
        cursor = end
    if cursor < len(text):
        out.append(cast(CommentBodyInline, {"text": text[cursor:], **formatting}))


def _plain(tokens: Sequence[Token]) -> str:
    """Inline tokens as plain text (Node's tokensToPlainText)."""
    parts = []
    for token in tokens:
        kind = token.type
        if kind in ("text", "code_inline", "html_inline"):
            parts.append(token.content)
        elif kind == "text_special":
            parts.append(token.markup if token.info == "entity" else token.content)
        elif kind in ("softbreak", "hardbreak"):
            parts.append("\n")
        elif kind == "image":
            parts.append(_plain(token.children or []) or token.attrGet("src") or "")
    return "".join(parts)


def _image_source(token: Token) -> str:
    """An image as written (marked keeps its raw Markdown as text)."""
    title = token.attrGet("title")
    title_part = f' "{title}"' if title else ""
    return f"![{_plain(token.children or [])}]({token.attrGet('src') or ''}{title_part})"
