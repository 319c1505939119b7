"""Several worker processes, as production runs them: ``gunicorn --preload -w 4`` (Django WSGI,
Flask: the app, and a client that already called Liveblocks, made in the master before the fork)
and ``uvicorn --workers 4`` (Starlette, Django ASGI). Thousands of concurrent requests from many
users, over a real upstream on loopback: each answer carries its requester's identity, never
another's, and the work is spread over several workers."""

from __future__ import annotations

import base64
import json
import os
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import httpx
import pytest

from examples.launch import BIN, ExampleApp, serve_example
from liveblocks_auth.testing import SignedWebhook, signed_webhook
from liveblocks_auth.webhooks import generate_webhook_secret
from tests.core.harness import SECRET
from tests.redis_server import RedisServer
from tests.reliability import users
from tests.reliability.hostile import HostileServer, Request, answer, serve_each

ROOT = Path(__file__).resolve().parents[2]
TARGET = "tests.reliability.served.apps:application"
WORKERS = "4"
REQUESTS = 2000
PEOPLE = [(f"user{i:02d}", (f"team{i % 5}",), ("acme", "globex", None)[i % 3]) for i in range(40)]


def _gunicorn(port: int) -> list[str]:
    return [str(BIN / "gunicorn"), TARGET, "--preload", "-w", WORKERS, "-b", f"127.0.0.1:{port}"]


def _uvicorn(port: int) -> list[str]:
    return [str(BIN / "uvicorn"), TARGET, "--workers", WORKERS, "--port", str(port)]


SERVERS = {
    "django-wsgi gunicorn --preload": (_gunicorn, {"SERVED": "django", "SERVED_WARM": "1"}),
    "flask gunicorn --preload": (_gunicorn, {"SERVED": "flask", "SERVED_WARM": "1"}),
    "starlette uvicorn": (_uvicorn, {"SERVED": "starlette"}),
    "django-asgi uvicorn": (_uvicorn, {"SERVED": "django", "SERVED_ASYNC": "1"}),
}


def _echo_identity(request: Request) -> bytes:
    """A token whose middle part is the identity the upstream was asked for."""
    sent = request.json()
    identity = {k: sent.get(k) for k in ("userId", "groupIds", "organizationId", "userInfo")}
    middle = base64.urlsafe_b64encode(json.dumps(identity).encode()).decode().rstrip("=")
    return answer(json.dumps({"token": f"h.{middle}.s"}).encode())


def _identity(token: str) -> dict[str, Any]:
    middle = token.split(".")[1]
    return json.loads(base64.urlsafe_b64decode(middle + "=" * (-len(middle) % 4)))  # type: ignore[no-any-return]


@pytest.mark.parametrize("server", sorted(SERVERS))
def test_every_worker_answers_each_user_with_their_own_identity(
    server: str, tmp_path: Path
) -> None:
    serve, env = SERVERS[server]
    env = {**env, "PYTHONPATH": str(ROOT), "DJANGO_SETTINGS_MODULE": ""}
    app = ExampleApp(name=server.split()[0], cwd=ROOT, serve=serve, ready_path="/pid", env=env)
    with (
        HostileServer(serve_each(_echo_identity)) as upstream,
        serve_example(app, upstream.url, tmp_path, secret=SECRET) as running,
        httpx.Client(limits=httpx.Limits(max_connections=32), timeout=30) as client,
        ThreadPoolExecutor(32) as pool,
    ):
        url = running.url + "/api/liveblocks-auth"

        def post(n: int) -> tuple[int, tuple[str, tuple[str, ...], str | None], Any]:
            person = PEOPLE[n % len(PEOPLE)]
            response = client.post(
                url,
                json={"room": f"{person[2] or 'public'}-room{n % 7}"},
                # A new connection per request: 32 kept-alive ones may all be accepted by one
                # worker (seen with uvicorn), which would say nothing of the others.
                headers={"X-Test-User": users.header(*person), "Connection": "close"},
            )
            return response.status_code, person, response.json()

        answers = list(pool.map(post, range(REQUESTS)))
    wrong = []
    pids = set()
    for status, (name, groups, org), body in answers:
        assert status == 200, body
        got = _identity(body["token"])
        expected = {"userId": name, "groupIds": list(groups), "organizationId": org}
        if {k: got[k] for k in expected} != expected or got["userInfo"]["name"] != name:
            wrong.append((name, got))
        pids.add(got["userInfo"]["pid"])
    assert wrong == []
    assert len(pids) >= 2, pids  # several workers served (each names its pid in userInfo)
    assert os.getpid() not in pids
    # One upstream request per answer (plus the master's warm-up call under --preload).
    warm = 1 if env.get("SERVED_WARM") else 0
    assert len(upstream.requests) == REQUESTS + warm


WEBHOOK_SECRET = generate_webhook_secret()
COPIES = 8  # of each delivery, sent at once: they reach different workers


def _runs(path: Path) -> dict[str, list[tuple[str, str]]]:
    found: dict[str, list[tuple[str, str]]] = {}
    for line in path.read_text().splitlines() if path.exists() else []:
        event_id, pid, outcome = line.split()
        found.setdefault(event_id, []).append((pid, outcome))
    return found


@pytest.mark.parametrize("server", sorted(SERVERS))
def test_each_webhook_runs_once_across_workers_and_a_redis_outage_loses_nothing(
    server: str, tmp_path: Path
) -> None:
    serve, env = SERVERS[server]
    runs = tmp_path / "runs.log"
    with RedisServer() as redis_server:
        env = {
            **env,
            "PYTHONPATH": str(ROOT),
            "DJANGO_SETTINGS_MODULE": "",
            "SERVED_WEBHOOK_STORE": redis_server.url,
            "SERVED_RUNS": str(runs),
            "LIVEBLOCKS_WEBHOOK_SECRET": WEBHOOK_SECRET,
        }
        app = ExampleApp(name=server.split()[0], cwd=ROOT, serve=serve, ready_path="/pid", env=env)
        with (
            HostileServer(serve_each(_echo_identity)) as upstream,
            serve_example(app, upstream.url, tmp_path, secret=SECRET) as running,
            httpx.Client(timeout=30) as client,
            ThreadPoolExecutor(32) as pool,
        ):
            url = running.url + "/api/liveblocks-webhook"

            def deliver(delivery: SignedWebhook) -> int:
                # Each time as Liveblocks redelivers: the same id, signed anew.
                again = signed_webhook(WEBHOOK_SECRET, body=delivery.body, webhook_id=delivery.id)
                headers = {**again.headers, "Connection": "close"}
                return client.post(url, content=again.body, headers=headers).status_code

            rooms = [("flaky-" if n % 6 == 0 else "room-") + str(n) for n in range(24)]
            events = [signed_webhook(WEBHOOK_SECRET, room_id=room) for room in rooms]
            statuses = list(pool.map(deliver, [e for e in events for _ in range(COPIES)]))
            assert set(statuses) <= {200, 409, 500}, statuses
            assert 409 in statuses  # copies met while the first was being handled
            # Liveblocks redelivers what did not get a 200 (409 in progress, 500 failed).
            answered: set[str] = set()
            for delivery, status in zip(
                [e for e in events for _ in range(COPIES)], statuses, strict=True
            ):
                if status == 200:
                    answered.add(delivery.id)
            for _ in range(10):
                missing = [e for e in events if e.id not in answered]
                if not missing:
                    break
                for delivery, status in zip(missing, pool.map(deliver, missing), strict=True):
                    if status == 200:
                        answered.add(delivery.id)
            assert {e.id for e in events} == answered
            ran = _runs(runs)
            for delivery, room in zip(events, rooms, strict=True):
                outcomes = [outcome for _, outcome in ran[delivery.id]]
                assert outcomes == (["fail", "ok"] if room.startswith("flaky-") else ["ok"]), room
            assert len({pid for lines in ran.values() for pid, _ in lines}) >= 2
            assert set(pool.map(deliver, events)) == {200}  # all remembered as done

            # Redis stops: deliveries are refused with 503 and reach no handler...
            redis_server.stop()
            during = [signed_webhook(WEBHOOK_SECRET, room_id=f"outage-{n}") for n in range(6)]
            assert list(pool.map(deliver, during)) == [503] * len(during)
            assert not set(_runs(runs)) & {e.id for e in during}
            # ...and once it is back, Liveblocks' redeliveries run each of them once.
            redis_server.start()
            waiting = during
            for _ in range(5):
                waiting = [
                    e for e, s in zip(waiting, pool.map(deliver, waiting), strict=True) if s != 200
                ]
                if not waiting:
                    break
            assert waiting == []
            assert list(pool.map(deliver, during)) == [200] * len(during)
            ran = _runs(runs)
            assert all([o for _, o in ran[e.id]] == ["ok"] for e in during)
    log = (tmp_path / f"{app.name}.log").read_text()
    assert log.count("webhook store RedisWebhookStore failed") <= 4  # once per worker
