"""Comment bodies: the JSON Liveblocks keeps for a comment, typed, and the helpers of
``@liveblocks/node`` to read them: :func:`get_mentions_from_comment_body` and
:func:`stringify_comment_body` (plain text, Markdown or HTML, escaping included, with the
mentioned users' and groups' names resolved by your functions). Their output is the Node SDK's,
character for character: ``tests/core/test_comment_body.py`` compares them on generated bodies.
"""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Awaitable, Callable, Generator, Mapping, Sequence
from typing import Any, Literal, NotRequired, TypeAlias, TypedDict, cast

from ._effects import call_async, call_sync, drive, drive_async

__all__ = [
    "CommentBody",
    "CommentBodyInline",
    "CommentBodyLink",
    "CommentBodyMention",
    "CommentBodyParagraph",
    "CommentBodyText",
    "comment_body_from_text",
    "get_mentions_from_comment_body",
    "markdown_to_comment_body",
    "sanitize_url",
    "stringify_comment_body",
    "stringify_comment_body_async",
]


class CommentBodyText(TypedDict):
    text: str
    bold: NotRequired[bool]
    italic: NotRequired[bool]
    strikethrough: NotRequired[bool]
    code: NotRequired[bool]


class CommentBodyLink(TypedDict):
    type: Literal["link"]
    url: str
    text: NotRequired[str]


class CommentBodyMention(TypedDict):
    type: Literal["mention"]
    id: str
    kind: NotRequired[Literal["user", "group"]]


CommentBodyInline: TypeAlias = CommentBodyText | CommentBodyLink | CommentBodyMention


class CommentBodyParagraph(TypedDict):
    type: Literal["paragraph"]
    children: list[CommentBodyInline]


class CommentBody(TypedDict):
    version: Literal[1]
    content: list[CommentBodyParagraph]


Format: TypeAlias = Literal["plain", "markdown", "html"]
#: ``(user_ids) -> [info or None, ...]`` in the same order, sync or async (Node's
#: ``resolveUsers``); an info's ``"name"`` replaces the id after the ``@``.
ResolveUsers: TypeAlias = Callable[
    [list[str]], "Sequence[Mapping[str, Any] | None] | Awaitable[Any] | None"
]
ResolveGroups: TypeAlias = ResolveUsers


def comment_body_from_text(text: str) -> CommentBody:
    """A comment body saying ``text`` as it is, one paragraph per line (as Liveblocks' composer
    makes one per line), no formatting, mentions or links: what a bot or a script posts."""
    if not isinstance(text, str):
        raise ValueError(f"text must be a string, not {type(text).__name__}")
    paragraphs: list[CommentBodyParagraph] = [
        {"type": "paragraph", "children": [{"text": line}]}
        for line in text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    ]
    return {"version": 1, "content": paragraphs}


def markdown_to_comment_body(markdown: str) -> CommentBody:
    """A comment body from Markdown, as ``@liveblocks/node``'s ``markdownToCommentBody``
    builds it: bold, italic, strikethrough and code kept; links (and bare URLs) as links when
    safe; ``@user`` mentions; headings, list markers, quotes and table rows written out as
    text, a paragraph each. Needs markdown-it-py (the ``[markdown]`` extra)."""
    from ._markdown import markdown_to_comment_body as convert

    return convert(markdown)


# --- mentions ---------------------------------------------------------------------------------


def get_mentions_from_comment_body(
    body: CommentBody | Mapping[str, Any],
    predicate: Callable[[CommentBodyMention], bool] | None = None,
) -> list[CommentBodyMention]:
    """The body's mentions, each id once, in reading order (``predicate`` keeps some)."""
    seen: set[Any] = set()
    found: list[CommentBodyMention] = []
    blocks: Sequence[Mapping[str, Any]] = (body or {}).get("content") or ()
    for block in blocks:
        children: Sequence[Mapping[str, Any]] = block.get("children") or ()
        for inline in children:
            if (
                inline.get("type") == "mention"
                and inline.get("id") not in seen
                and (predicate is None or predicate(cast(CommentBodyMention, inline)))
            ):
                seen.add(inline.get("id"))
                found.append(cast(CommentBodyMention, inline))
    return found


# --- links ------------------------------------------------------------------------------------

_ABSOLUTE = re.compile(r"[a-zA-Z][a-zA-Z0-9+\-.]*?:")
_TRAILING_SLASH = re.compile(r"/(?:[?#][^\n\r\u2028\u2029]*)?\Z")
_PLACEHOLDER = ("https", "localhost", 9999)
#: The default ports of the only schemes a link keeps (any other fails earlier).
_DEFAULT_PORTS = {"http": 80, "https": 443}
_SCHEME = re.compile(r"([a-zA-Z][a-zA-Z0-9+\-.]*):")
_FORBIDDEN_HOST = set("\x00\t\n\r #/:<>?@[\\]^|%\x7f") | {chr(c) for c in range(0x20)}


def _encoded(text: str, keep: Callable[[str], bool]) -> str:
    out = []
    for char in text:
        if keep(char):
            out.append(char)
        else:
            out.extend(f"%{byte:02X}" for byte in char.encode("utf-8", "surrogatepass"))
    return "".join(out)


def _in_c0(char: str) -> bool:
    return char < " " or char > "~"


def _path_char(char: str) -> bool:
    return not (_in_c0(char) or char in ' "#<>?`{}')


def _query_char(char: str) -> bool:
    return not (_in_c0(char) or char in " \"#<>'")


def _fragment_char(char: str) -> bool:
    return not (_in_c0(char) or char in ' "<>`')


def _ipv4_number(part: str) -> int | None:
    radix = 10
    if part[:2] in ("0x", "0X"):
        part, radix = part[2:], 16
    elif len(part) > 1 and part[0] == "0":
        part, radix = part[1:], 8
    if part == "":
        return 0
    try:
        return int(part, radix) if re.fullmatch(r"[0-9a-fA-F]+", part) else None
    except ValueError:
        return None


def _valid_label(label: str) -> bool:
    """UTS 46's validity criteria as the URL standard asks (no hyphen or bidi rules)."""
    import idna
    import idna.core

    try:
        if idna.uts46_remap(label, std3_rules=False, transitional=False) != label:
            return False
        idna.core.check_nfc(label)
        idna.core.check_initial_combiner(label)
    except (idna.IDNAError, UnicodeError, ValueError):
        return False
    return all(
        idna.core.valid_contextj(label, index)
        for index, char in enumerate(label)
        if char in "\u200c\u200d"
    )


def _ipv6(address: ipaddress.IPv6Address) -> str:
    """``address`` as the URL standard serialises it: eight hex pieces, the first longest run of
    two or more zero pieces compressed, an IPv4-mapped tail in hex too (Python 3.13 writes that
    one in dotted form)."""
    packed = address.packed
    pieces = [packed[i] << 8 | packed[i + 1] for i in range(0, 16, 2)]
    start, length, best = -1, 0, (-1, 1)
    for index, piece in enumerate([*pieces, 1]):
        if piece == 0:
            start, length = (index, 1) if start < 0 else (start, length + 1)
            continue
        if length > best[1]:
            best = (start, length)
        start, length = -1, 0
    text = [f"{piece:x}" for piece in pieces]
    if best[0] < 0:
        return ":".join(text)
    head, tail = text[: best[0]], text[best[0] + best[1] :]
    return ":".join(head) + "::" + ":".join(tail)


def _domain_to_ascii(domain: str) -> str | None:
    """UTS 46 ToASCII as the URL standard runs it (non-transitional, no hyphen, STD3 or bidi
    rules): idna's mapping table and checks, Punycode; ACE labels must decode to valid ones."""
    import idna

    try:
        mapped = idna.uts46_remap(domain, std3_rules=False, transitional=False)
    except (idna.IDNAError, UnicodeError, ValueError):
        return None
    labels = []
    for label in mapped.split("."):
        if label.startswith("xn--"):
            try:
                decoded = label[4:].encode("ascii").decode("punycode")
            except UnicodeError:
                return None
            if not decoded or not _valid_label(decoded):
                return None
            labels.append(label)
        elif label.isascii():
            labels.append(label)
        elif _valid_label(label):
            labels.append("xn--" + label.encode("punycode").decode("ascii"))
        else:
            return None
    return ".".join(labels)


def _host(raw: str) -> str | None:
    """A special URL's host as the WHATWG URL standard serialises it, or None (failure)."""
    if raw.startswith("["):
        if not raw.endswith("]"):
            return None
        try:
            return f"[{_ipv6(ipaddress.IPv6Address(raw[1:-1]))}]"
        except ValueError:
            return None
    try:
        decoded = (
            re.sub("%([0-9a-fA-F]{2})", lambda m: chr(int(m.group(1), 16)), raw)
            .encode("latin-1")
            .decode("utf-8")
        )
    except (UnicodeDecodeError, UnicodeEncodeError):
        decoded = raw
    if not decoded.isascii():
        ascii_host = _domain_to_ascii(decoded)
        if ascii_host is None:
            return None
        decoded = ascii_host
    host = decoded.lower()
    if not host or any(char in _FORBIDDEN_HOST for char in host):
        return None
    if "xn--" in host and _domain_to_ascii(host) is None:
        return None
    labels = host.split(".")
    if labels[-1] == "" and len(labels) > 1:
        labels = labels[:-1]
    last = labels[-1]
    if last and (re.fullmatch(r"[0-9]+", last) or re.fullmatch(r"0[xX][0-9a-fA-F]*", last)):
        numbers = [_ipv4_number(label) for label in labels]
        if len(numbers) > 4 or any(n is None for n in numbers):
            return None
        values = [n for n in numbers if n is not None]
        if any(n > 255 for n in values[:-1]) or values[-1] >= 256 ** (5 - len(values)):
            return None
        address = values[-1]
        for index, value in enumerate(values[:-1]):
            address += value * 256 ** (3 - index)
        return str(ipaddress.IPv4Address(address))
    return host


def _path(segments: list[str], text: str) -> list[str]:
    """``segments`` (the base's) with ``text`` (a path in slashes) applied, dot segments out."""
    parts = re.split(r"[/\\]", text)
    for index, part in enumerate(parts):
        last = index == len(parts) - 1
        lowered = part.lower()
        if lowered in ("..", ".%2e", "%2e.", "%2e%2e"):
            if segments:
                segments.pop()
            if last:
                segments.append("")
        elif lowered in (".", "%2e"):
            if last:
                segments.append("")
        else:
            segments.append(_encoded(part, _path_char))
    return segments


class _Url:
    __slots__ = ("fragment", "host", "path", "port", "query", "scheme")

    def __init__(self) -> None:
        self.scheme, self.host = "", ""
        self.port: int | None = None
        self.path: list[str] = []
        self.query: str | None = None
        self.fragment: str | None = None

    @property
    def origin(self) -> str:
        port = "" if self.port is None else f":{self.port}"
        return f"{self.scheme}://{self.host}{port}"

    @property
    def pathname(self) -> str:
        return "/" + "/".join(self.path)

    @property
    def search(self) -> str:
        return f"?{self.query}" if self.query else ""

    @property
    def hash(self) -> str:
        return f"#{self.fragment}" if self.fragment else ""


def _parse(text: str, base: _Url | None) -> _Url | None:
    """``new URL(text, base)`` for the http(s) URLs a link may hold: None where it fails, or
    where its scheme is not http(s) (never a safe link either way)."""
    text = text.strip("".join(chr(c) for c in range(0x21)))
    text = re.sub("[\t\n\r]", "", text)
    url = _Url()
    scheme = _SCHEME.match(text)
    if scheme is not None:
        url.scheme = scheme.group(1).lower()
        rest = text[scheme.end() :]
        if url.scheme not in ("http", "https"):
            return None
        if base is not None and base.scheme == url.scheme:
            return _relative(rest, base)  # (with two slashes first, still an authority)
        return _authority(url, rest.lstrip("/\\"))
    if base is None:
        return None
    return _relative(text, base)


def _relative(text: str, base: _Url) -> _Url | None:
    url = _Url()
    url.scheme, url.host, url.port = base.scheme, base.host, base.port
    if re.match(r"[/\\]{2}", text):
        return _authority(url, text.lstrip("/\\"))
    path_end = min([i for i in (text.find("?"), text.find("#")) if i >= 0] or [len(text)])
    path_text, tail = text[:path_end], text[path_end:]
    if path_text == "":
        url.path = list(base.path)
        if not tail.startswith("?"):
            url.query = base.query
    elif path_text[0] in "/\\":
        url.path = _path([], path_text[1:])
    else:
        url.path = _path(list(base.path[:-1]), path_text)
    return _tail(url, tail)


def _authority(url: _Url, rest: str) -> _Url | None:
    end = next((i for i, char in enumerate(rest) if char in "/\\?#"), len(rest))
    authority, rest = rest[:end], rest[end:]
    host_port = authority.rpartition("@")[2]
    host_text, port_text = host_port, ""
    if not host_port.startswith("[") or "]:" in host_port:
        colon = host_port.rfind(":")
        if colon >= 0 and (not host_port.startswith("[") or colon > host_port.index("]")):
            host_text, port_text = host_port[:colon], host_port[colon + 1 :]
    host = _host(host_text) if host_text else None
    if host is None:
        return None
    url.host = host
    if port_text:
        if not port_text.isascii() or not port_text.isdigit() or int(port_text) > 65535:
            return None
        port = int(port_text)
        url.port = None if port == _DEFAULT_PORTS[url.scheme] else port
    path_end = min([i for i in (rest.find("?"), rest.find("#")) if i >= 0] or [len(rest)])
    url.path = _path([], rest[1:path_end]) if rest[:1] in ("/", "\\") else [""]
    return _tail(url, rest[path_end:])


def _tail(url: _Url, tail: str) -> _Url:
    if tail.startswith("?"):
        query, _, fragment = tail[1:].partition("#")
        url.query = _encoded(query, _query_char)
        if "#" in tail:
            url.fragment = _encoded(fragment, _fragment_char)
    elif tail.startswith("#"):
        url.fragment = _encoded(tail[1:], _fragment_char)
    return url


def _base() -> _Url:
    base = _Url()
    base.scheme, base.host, base.port = _PLACEHOLDER
    base.path = [""]
    return base


def sanitize_url(url: str) -> str | None:
    """``url`` as a safe link (http or https, normalised; relative URLs stay relative), or
    None: what the Node SDK keeps of a link's URL."""
    if url.startswith("www."):
        url = "https://" + url
    if url == "#":
        return url
    absolute = _ABSOLUTE.match(url) is not None
    parsed = _parse(url, None if absolute else _base())
    if parsed is None or parsed.scheme not in ("http", "https"):
        return None
    trailing = _TRAILING_SLASH.search(url) is not None
    pathname = parsed.pathname
    if pathname == "/":
        path = "/" if trailing else ""
    else:
        path = pathname + "/" if trailing and not pathname.endswith("/") else pathname
    sanitized = (parsed.origin if absolute else "") + path + parsed.search + parsed.hash
    return sanitized or None


# --- stringify --------------------------------------------------------------------------------

_HTML = {"&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;"}
_MARKDOWN = set("_*#`~!|(){}[]")


def _html(text: str) -> str:
    return "".join(_HTML.get(char, char) for char in text)


def _markdown(text: str) -> str:
    return "".join("\\" + char if char in _MARKDOWN else char for char in text)


def _name(info: Mapping[str, Any] | None) -> Any:
    return None if info is None else info.get("name")


def _text(element: Mapping[str, Any], format: Format) -> str:
    text = element["text"]
    if format == "plain" or not text:
        return str(text)
    if format == "html":
        out = _html(text)
        for flag, tag in (("bold", "strong"), ("italic", "em"), ("strikethrough", "s")):
            if element.get(flag):
                out = f"<{tag}>{out}</{tag}>"
        return f"<code>{out}</code>" if element.get("code") else out
    out, escaped = text, False
    for flag, mark in (("bold", "**"), ("italic", "_"), ("strikethrough", "~~"), ("code", "`")):
        if element.get(flag):
            out = f"{mark}{out if escaped else _markdown(out)}{mark}"
            escaped = True
    return out


def _link(element: Mapping[str, Any], href: str, format: Format) -> str:
    text = element.get("text")
    if format == "html":
        shown = _html(text if text else element["url"])
        return f'<a href="{_html(href)}" target="_blank" rel="noopener noreferrer">{shown}</a>'
    shown = text if text is not None else element["url"]
    return f"[{_markdown(shown)}]({_markdown(href)})" if format == "markdown" else shown


def _mention(element: Mapping[str, Any], user: Any, group: Any, format: Format) -> str:
    if format == "html":
        name = _name(user) or _name(group) or element["id"]
        return f"<span data-mention>@{_html(str(name))}</span>"
    name = _name(user)
    if name is None:
        name = _name(group)
    if name is None:
        name = element["id"]
    return f"@{_markdown(str(name))}" if format == "markdown" else f"@{name}"


_Resolve: TypeAlias = Generator[tuple[Callable[..., Any], list[str]], Any, str]


def _resolved(
    ids: list[str], resolver: ResolveUsers | None
) -> Generator[tuple[Callable[..., Any], list[str]], Any, dict[str, Any]]:
    if resolver is None or not ids:
        return {}
    infos = (yield resolver, ids) or ()
    return {id_: info for id_, info in zip(ids, infos, strict=False) if info is not None}


def _stringify(
    body: CommentBody | Mapping[str, Any],
    format: Format,
    separator: str | None,
    resolve_users: ResolveUsers | None,
    resolve_groups_info: ResolveGroups | None,
) -> _Resolve:
    if format not in ("plain", "markdown", "html"):
        raise ValueError(f'format must be "plain", "markdown" or "html", not {format!r}')
    mentions = get_mentions_from_comment_body(body)
    users = yield from _resolved(
        [m["id"] for m in mentions if m.get("kind") == "user"], resolve_users
    )
    groups = yield from _resolved(
        [m["id"] for m in mentions if m.get("kind") == "group"], resolve_groups_info
    )
    blocks = []
    content: Sequence[Mapping[str, Any]] = body.get("content") or ()
    for block in content:
        if block.get("type") != "paragraph":
            continue
        inlines = []
        children: Sequence[Mapping[str, Any]] = block.get("children") or ()
        for inline in children:
            kind = inline.get("type")
            if kind == "mention":
                if inline.get("id"):
                    user = users.get(inline["id"]) if inline.get("kind") == "user" else None
                    group = groups.get(inline["id"]) if inline.get("kind") == "group" else None
                    inlines.append(_mention(inline, user, group, format))
            elif kind == "link":
                href = sanitize_url(inline["url"])
                if href is None:
                    shown = inline.get("text")
                    inlines.append(
                        _text({"text": inline["url"] if shown is None else shown}, format)
                    )
                else:
                    inlines.append(_link(inline, href, format))
            elif kind is None and isinstance(inline.get("text"), str):
                inlines.append(_text(inline, format))
        joined = "".join(inlines)
        blocks.append(f"<p>{joined}</p>" if format == "html" and joined else joined)
    if separator is None:
        separator = "\n\n" if format == "markdown" else "\n"
    return separator.join(blocks)


def stringify_comment_body(
    body: CommentBody | Mapping[str, Any],
    *,
    format: Format = "plain",
    separator: str | None = None,
    resolve_users: ResolveUsers | None = None,
    resolve_groups_info: ResolveGroups | None = None,
) -> str:
    """The body as plain text, Markdown or HTML (escaped), paragraphs joined by ``separator``
    (default a blank line in Markdown, a newline otherwise); mentions show the ``"name"`` that
    ``resolve_users(user_ids)``/``resolve_groups_info(group_ids)`` give (sync or async; an async
    one is run to completion here, so from async code use
    :func:`stringify_comment_body_async`), else the id."""
    flow = _stringify(body, format, separator, resolve_users, resolve_groups_info)
    return drive(flow, lambda request: call_sync(*request))


async def stringify_comment_body_async(
    body: CommentBody | Mapping[str, Any],
    *,
    format: Format = "plain",
    separator: str | None = None,
    resolve_users: ResolveUsers | None = None,
    resolve_groups_info: ResolveGroups | None = None,
) -> str:
    """:func:`stringify_comment_body` from async code: async resolvers are awaited, sync ones
    run in a worker thread."""
    flow = _stringify(body, format, separator, resolve_users, resolve_groups_info)
    return await drive_async(flow, lambda request: call_async(*request))
