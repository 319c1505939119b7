"""The I/O-free HTTP/1.1 layer both of our transports share: however the bytes arrive, the
same answer comes out; what is malformed or too large is refused."""

from __future__ import annotations

import gzip
import itertools
import zlib

import httpx
import pytest
from hypothesis import given
from hypothesis import strategies as st

from liveblocks_auth._http11 import (
    ContentDecoder,
    Disconnected,
    ResponseParser,
    header_fields,
    request_bytes,
)

BODY = b'{"token":"aaa.bbb.ccc"}'
ANSWERS = {
    "length": b"HTTP/1.1 200 OK\r\nContent-Length: %d\r\nX-A: 1\r\n\r\n" % len(BODY) + BODY,
    "chunked": (
        b"HTTP/1.1 100 Continue\r\n\r\n"
        b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nX-A: 1\r\n\r\n"
        b"5\r\n" + BODY[:5] + b"\r\n" + b"%x;x=y\r\n" % (len(BODY) - 5) + BODY[5:] + b"\r\n"
        b"0\r\nTrailer: t\r\n\r\n"
    ),
    "until-close": b"HTTP/1.0 200 OK\r\nX-A: 1\r\n\r\n" + BODY,
}


def parse(pieces: list[bytes], eof: bool) -> tuple[int, list[tuple[bytes, bytes]], bytes, bool]:
    parser = ResponseParser("POST")
    head = None
    body = b""
    for piece in pieces:
        parser.feed(piece)
        if head is None:
            head = parser.head()
        if head is not None:
            body += parser.body()
    if eof:
        parser.feed_eof()
        if head is None:
            head = parser.head()
        body += parser.body()
    assert head is not None
    assert parser.complete
    return head.status, head.headers, body, parser.reusable


def split(data: bytes, cuts: list[int]) -> list[bytes]:
    points = sorted({c % (len(data) + 1) for c in cuts} | {0, len(data)})
    return [data[a:b] for a, b in itertools.pairwise(points)]


@pytest.mark.parametrize("kind", list(ANSWERS))
@given(cuts=st.lists(st.integers(min_value=0, max_value=10_000), max_size=40))
def test_any_split_of_the_bytes_gives_the_same_answer(kind: str, cuts: list[int]) -> None:
    data = ANSWERS[kind]
    eof = kind == "until-close"
    status, headers, body, reusable = parse(split(data, cuts), eof)
    assert (status, body) == (200, BODY)
    assert (b"X-A", b"1") in headers
    assert reusable is (kind != "until-close")


def test_one_byte_at_a_time() -> None:
    data = ANSWERS["chunked"]
    assert parse([data[i : i + 1] for i in range(len(data))], False)[2] == BODY


def test_bytes_after_the_answer_make_the_connection_unusable() -> None:
    assert parse([ANSWERS["length"] + b"HTTP/1.1 200 OK\r\n"], False)[3] is False


def test_the_end_before_any_byte_is_a_disconnection_and_inside_an_answer_an_error() -> None:
    parser = ResponseParser("POST")
    parser.feed_eof()
    with pytest.raises(Disconnected):
        parser.head()
    parser = ResponseParser("POST")
    parser.feed(ANSWERS["length"][:-3])
    assert parser.head() is not None
    parser.body()
    parser.feed_eof()
    with pytest.raises(httpx.RemoteProtocolError, match="inside the response body"):
        parser.body()


def test_no_body_for_head_204_and_304() -> None:
    for method, status in (("HEAD", b"200"), ("GET", b"204"), ("GET", b"304")):
        parser = ResponseParser(method)
        parser.feed(b"HTTP/1.1 " + status + b" X\r\nContent-Length: 10\r\n\r\n")
        head = parser.head()
        assert head is not None
        assert head.length == 0
        assert (parser.body(), parser.complete, parser.reusable) == (b"", True, True)


def test_a_head_past_the_limit_is_refused_before_it_ends() -> None:
    parser = ResponseParser("GET")
    parser.feed(b"HTTP/1.1 200 OK\r\nX: " + b"a" * 70_000)  # no end of head in sight
    with pytest.raises(httpx.RemoteProtocolError, match="too long"):
        parser.head()


def test_too_many_headers_are_refused() -> None:
    parser = ResponseParser("GET")
    parser.feed(b"HTTP/1.1 200 OK\r\n" + b"X: 1\r\n" * 101 + b"\r\n")
    with pytest.raises(httpx.RemoteProtocolError, match="too many"):
        parser.head()


def test_request_bytes_refuse_header_injection() -> None:
    assert request_bytes("GET", b"/x", [(b"A", b"1")]) == b"GET /x HTTP/1.1\r\nA: 1\r\n\r\n"
    with pytest.raises(httpx.LocalProtocolError):
        request_bytes("GET", b"/x", [(b"A", b"1\r\nEvil: 1")])


def test_header_fields_are_as_httpx_dict() -> None:
    raw = [(b"Set-Cookie", b"a=1"), (b"X-LB-Warn", b"w"), (b"set-cookie", b"b=2")]
    assert header_fields(raw) == dict(httpx.Headers(raw))


def test_repeated_content_encoding_fields_are_joined() -> None:
    parser = ResponseParser("GET")
    parser.feed(b"HTTP/1.1 200 OK\r\nContent-Encoding: deflate\r\ncontent-encoding: gzip\r\n\r\n")
    head = parser.head()
    assert head is not None
    assert head.encoding == b"deflate,gzip"


def test_codings_are_undone_in_reverse_order_of_application() -> None:
    layered = gzip.compress(zlib.compress(BODY))  # deflate first, then gzip
    decoder = ContentDecoder(b"deflate, gzip", 1000)
    assert decoder.decode(layered) == BODY
    raw_deflate = zlib.compressobj(wbits=-zlib.MAX_WBITS)
    data = raw_deflate.compress(BODY) + raw_deflate.flush()
    assert ContentDecoder(b"deflate", 1000).decode(data) == BODY
    unknown = ContentDecoder(b"br", 1000)  # as httpx without brotli
    assert not unknown.active


def test_a_compression_bomb_decodes_to_at_most_the_limit() -> None:
    bomb = gzip.compress(b"\0" * 20_000_000)
    decoded = ContentDecoder(b"gzip", 65_537).decode(bomb)
    assert len(decoded) == 65_537


def test_garbage_in_a_coded_body_is_a_decoding_error() -> None:
    with pytest.raises(httpx.DecodingError):
        ContentDecoder(b"gzip", 1000).decode(b"not gzip at all")
