"""``EnvironHeaders``: the Django and Flask adapters' view of a WSGI environ's headers, read in
place. It must find every header exactly as Werkzeug's and Django's ``request.headers`` do."""

from __future__ import annotations

import pytest
from django.http.request import HttpHeaders
from hypothesis import given
from hypothesis import strategies as st
from werkzeug.datastructures import EnvironHeaders as WerkzeugHeaders

from liveblocks_auth import AuthRequest
from liveblocks_auth.endpoint import EnvironHeaders

NAMES = st.sampled_from(
    [
        *("Origin", "Sec-Fetch-Site", "X-Workspace", "Webhook-Id", "Accept"),
        *("Content-Type", "Content-Length", "Authorization"),
    ]
)
VALUES = st.text(st.characters(min_codepoint=32, max_codepoint=255), max_size=12)


def environ_of(headers: dict[str, str], unprefixed: dict[str, str]) -> dict[str, object]:
    environ: dict[str, object] = {
        "REQUEST_METHOD": "POST",
        "SERVER_NAME": "testserver",
        "wsgi.input": object(),  # not a header, never read
    }
    for name, value in headers.items():
        environ["HTTP_" + name.upper().replace("-", "_")] = value
    environ.update(unprefixed)
    return environ


@given(
    st.dictionaries(NAMES, VALUES, max_size=6),
    st.fixed_dictionaries(
        {}, optional={"CONTENT_TYPE": VALUES, "CONTENT_LENGTH": st.sampled_from(["", "24", "0"])}
    ),
)
def test_every_header_as_werkzeug_finds_it(
    headers: dict[str, str], unprefixed: dict[str, str]
) -> None:
    environ = environ_of(headers, unprefixed)
    ours, werkzeug = EnvironHeaders(environ), WerkzeugHeaders(environ)
    assert sorted(ours.items()) == sorted((k.upper(), v) for k, v in werkzeug.items())
    for name in [*headers, "Content-Type", "Content-Length", "X-Absent"]:
        expected = werkzeug.get(name)
        if name in ("Content-Type", "Content-Length"):
            expected = expected or None  # an empty CONTENT_* is no header (PEP 3333)
        for spelled in (name, name.lower(), name.upper()):
            assert ours.get(spelled) == expected
            assert AuthRequest("POST", ours, b"").header(spelled) == expected


@given(st.dictionaries(NAMES, VALUES, max_size=6), VALUES)
def test_every_header_as_django_finds_it(headers: dict[str, str], content_type: str) -> None:
    environ = environ_of(headers, {"CONTENT_TYPE": content_type, "CONTENT_LENGTH": "24"})
    ours, django = EnvironHeaders(environ), HttpHeaders(environ)
    for name in [*headers, "Content-Type", "Content-Length", "X-Absent"]:
        expected = django.get(name)
        if name in ("Content-Type", "Content-Length") and not expected:
            expected = None
        assert ours.get(name.lower()) == expected


@pytest.mark.parametrize(
    ("environ", "expected"),
    [
        ({"CONTENT_LENGTH": ""}, None),  # Werkzeug's dev server: no Content-Length was sent
        ({"CONTENT_LENGTH": "12"}, "12"),
        ({"HTTP_CONTENT_LENGTH": "99", "CONTENT_LENGTH": "12"}, "12"),  # the unprefixed one
        ({}, None),
    ],
)
def test_content_length_as_the_server_gave_it(
    environ: dict[str, str], expected: str | None
) -> None:
    headers = EnvironHeaders(environ)
    assert headers.get("content-length") == expected
    assert dict(headers.items()).get("CONTENT-LENGTH") == expected
