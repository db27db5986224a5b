"""API keys (401 without one, 403 with a wrong one, never logged), the bounded queue (429) and
upload limits (checked on the declared size first, then on the content)."""

from __future__ import annotations

import logging
from collections.abc import Iterator

import pytest
import requests

from mirloop.amper import AmperClient, AmperRequestError, AmperUnavailable
from mirloop.plugins import registry
from mirloop.serve.testing import ServerProcess
from tests.serve.conftest import short_timeline, start_server

KEY = "k3y-7f0c9a1e5b2d4c68"


@pytest.fixture(scope="module")
def guarded(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ServerProcess]:
    """A server with two API keys, a queue of 2, renders that stay in RUNNING_COMPOSE for 60 s,
    and uploads of at most 0.05 MB."""
    env = {"MIRLOOP_SERVE_API_KEYS": f"other-key,{KEY}", "MIRLOOP_SERVE_FAULTS": "render_delay=60"}
    folder = tmp_path_factory.mktemp("guarded") / "data"
    process = start_server(folder, env=env, queue_limit=2, args=["--max-upload-mb", "0.05", "--no-warm-up"])
    yield process
    process.close()


def test_no_key_is_401_a_wrong_key_403_and_the_right_key_passes(guarded: ServerProcess) -> None:
    url = f"{guarded.url}/v1/entities/band"
    missing = requests.get(url, timeout=30)
    assert missing.status_code == 401
    assert missing.headers["www-authenticate"] == "Bearer"
    assert "Authorization: Bearer" in missing.json()["errors"][0]["detail"]
    assert requests.get(url, headers={"Authorization": f"Basic {KEY}"}, timeout=30).status_code == 401
    wrong = requests.get(url, headers={"Authorization": "Bearer guess"}, timeout=30)
    assert wrong.status_code == 403
    assert requests.get(url, headers={"Authorization": f"Bearer {KEY}"}, timeout=30).status_code == 200
    assert (
        requests.get(f"{guarded.url}/openapi.json", timeout=30).status_code == 200
    )  # the document is public


def test_the_client_sends_the_key_from_the_environment_and_never_logs_it(
    guarded: ServerProcess, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    monkeypatch.setenv("MIRLOOP_AMPER_API_KEY", KEY)
    with caplog.at_level(logging.DEBUG):
        client = AmperClient(guarded.url)
        assert client.entities("instrument")
        backend = registry().create("renderer", "amper", {"url": guarded.url, "api_key": KEY})
        assert backend.catalog().descriptors
        with pytest.raises(AmperRequestError) as refused:
            AmperClient(guarded.url, api_key="not-the-key").entities("band")
    assert refused.value.status == 403 and "not accepted" in refused.value.detail
    shown = [caplog.text, repr(client), repr(backend), str(refused.value), guarded.tail(500)]
    assert all(KEY not in text for text in shown)


def test_a_full_queue_answers_429_and_the_client_gives_up_after_its_retries(guarded: ServerProcess) -> None:
    client = AmperClient(guarded.url, api_key=KEY, retries=1, backoff=0.01, max_backoff=0.05)
    accepted = [client.submit(short_timeline(seed=i)) for i in range(2)]
    assert all(r.status == "WAITING_COMPOSE" for r in accepted)
    body = {"data": {"type": "simple_renders", "attributes": {"timeline": short_timeline()}}}
    full = requests.post(
        f"{guarded.url}/v1/simple_renders", json=body, headers={"Authorization": f"Bearer {KEY}"}, timeout=30
    )
    assert full.status_code == 429
    assert int(full.headers["retry-after"]) > 0
    assert "queue is full (2 of 2" in full.json()["errors"][0]["detail"]
    with pytest.raises(AmperUnavailable, match="HTTP 429"):
        client.submit(short_timeline())
    assert {client.status(r.id).status for r in accepted} <= {"WAITING_COMPOSE", "RUNNING_COMPOSE"}


def test_uploads_are_bounded_in_size_and_judged_by_their_content(guarded: ServerProcess) -> None:
    from tests.serve.test_store import wav_bytes

    url = f"{guarded.url}/api/uploads"
    accepted = requests.post(
        url, files={"file": ("../../../tmp/x.txt", wav_bytes(), "text/plain")}, timeout=30
    )
    assert accepted.status_code == 201
    assert accepted.json()["content_type"] == "audio/wav" and accepted.json()["name"] == "x.txt"
    text = requests.post(
        url, files={"file": ("song.wav", b"not audio at all" * 100, "audio/wav")}, timeout=30
    )
    assert text.status_code == 422 and "not audio" in text.json()["errors"][0]["detail"]
    big = requests.post(url, files={"file": ("song.wav", wav_bytes(seconds=30), "audio/wav")}, timeout=30)
    assert big.status_code == 413 and "0.05 MB" in big.json()["errors"][0]["detail"]
    chunked = requests.post(url, data=iter([b"--x\r\n", b"data"]), timeout=30)
    assert chunked.status_code == 411
