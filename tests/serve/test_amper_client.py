"""The Amper client and the ``amper`` renderer backend against a real server over loopback,
with the server's own fault setting: 500s, slow answers, failed renders and a ``kill -9``."""

from __future__ import annotations

import logging
import time
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest

from mirloop.amper import AmperClient, AmperRenderFailed, AmperRequestError, AmperUnavailable
from mirloop.errors import DescriptorError
from mirloop.plugins import registry
from mirloop.serve.testing import ServerProcess
from tests.serve.conftest import misspelt_timeline, short_timeline, start_server


def test_the_amper_backend_renders_what_the_configured_renderer_renders(server: ServerProcess) -> None:
    from mirloop.renderer.api import render

    backend = registry().create("renderer", "amper", {"url": server.url})
    timeline = short_timeline(seed=5)
    result = backend.render(timeline, seed=5)
    local = render(timeline, seed=5)
    assert result.seed == 5
    assert result.audio.sr == local.audio.sr and result.audio.samples.shape == local.audio.samples.shape
    # the server stores 16-bit WAV: the same samples, to within one step of 16 bits
    assert np.max(np.abs(result.audio.samples - local.audio.samples)) <= 1.5 / 32768
    assert result.midi == local.midi
    assert [r.descriptor for r in result.truth.regions] == ["rock_indie_driving"]
    assert result.truth.regions[0].key == local.truth.regions[0].key
    assert np.allclose(result.truth.beats, local.truth.beats, atol=1e-6)


def test_a_batch_renders_concurrently_and_keeps_its_order(server: ServerProcess) -> None:
    backend = registry().create("renderer", "amper", {"url": server.url, "workers": 3})
    timelines = [
        short_timeline(d, seed=i) for i, d in enumerate(["rock_indie_driving", "ambient_chill_dreamy"])
    ]
    timelines.append(misspelt_timeline())  # not in the server's catalog: refused before sending
    results = backend.render_many(timelines, seeds=[1, 2, 3])
    assert [r.truth.regions[0].descriptor for r in results[:2]] == [
        "rock_indie_driving",
        "ambient_chill_dreamy",
    ]
    assert [r.seed for r in results[:2]] == [1, 2]
    assert isinstance(results[2], DescriptorError) and "rock_indie_driving" in str(results[2])


def test_the_catalog_syncs_from_the_descriptor_entities(server: ServerProcess, tmp_path: Path) -> None:
    from mirloop.amper import RemoteCatalog
    from mirloop.catalog import load_catalog

    catalog = AmperClient(server.url).catalog()
    assert set(catalog.descriptors) == set(load_catalog().names())
    assert catalog.version == load_catalog().version
    assert catalog.bands and catalog.instruments
    saved = RemoteCatalog.load(catalog.save(tmp_path / "catalog.json"))
    assert saved == catalog
    with pytest.raises(DescriptorError, match="nearest on the server: rock_indie_driving"):
        catalog.check_timeline(misspelt_timeline())


def test_a_refused_request_raises_at_once_with_the_servers_message(server: ServerProcess) -> None:
    client = AmperClient(server.url, retries=5)
    timeline = short_timeline()
    timeline["spans"][0]["time"] = -1.0
    started = time.monotonic()
    with pytest.raises(AmperRequestError) as caught:
        client.submit(timeline)
    assert time.monotonic() - started < 5  # a 4xx is not retried
    assert caught.value.status == 422
    assert "spans" in caught.value.detail and caught.value.detail in str(caught.value)
    with pytest.raises(AmperRequestError, match="HTTP 404"):
        client.status("0" * 32)


@pytest.fixture(scope="module")
def faulty(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ServerProcess]:
    """A server answering a third of API requests with 500, each after 0.3 s."""
    env = {"MIRLOOP_SERVE_FAULTS": "error_rate=0.33,delay=0.3"}
    process = start_server(tmp_path_factory.mktemp("faulty") / "data", env=env)
    yield process
    process.close()


def test_retries_with_back_off_ride_out_a_server_answering_500(
    faulty: ServerProcess, caplog: pytest.LogCaptureFixture
) -> None:
    client = AmperClient(faulty.url, retries=10, backoff=0.05, poll_interval=0.2)
    with caplog.at_level(logging.DEBUG, logger="mirloop.amper"):
        render = client.render(short_timeline(seed=8))
        for _ in range(6):
            client.entities("band")
    assert render.status == "CREATED"
    assert "-> 500" in caplog.text  # some requests failed, and were tried again


def test_a_request_slower_than_the_timeout_fails_after_its_retries(faulty: ServerProcess) -> None:
    client = AmperClient(faulty.url, timeout=0.1, retries=2, backoff=0.01)
    started = time.monotonic()
    with pytest.raises(AmperUnavailable, match="failed 3 times, last with ReadTimeout"):
        client.entities("descriptor")
    assert time.monotonic() - started < 3


def test_failed_create_carries_the_servers_reason(tmp_path: Path) -> None:
    config = tmp_path / "mirloop.toml"
    config.write_text('[renderer]\nsoundfont = "/no/such/font.sf2"\n')
    with ServerProcess(tmp_path / "data", args=["--config", str(config), "--no-warm-up"]) as broken:
        client = AmperClient(broken.url, poll_interval=0.1)
        with pytest.raises(AmperRenderFailed, match=r"font\.sf2") as caught:
            client.render(short_timeline())
        assert client.status(caught.value.render_id).status == "FAILED_CREATE"


def test_mirloop_render_renders_on_the_server_when_amper_is_the_configured_renderer(
    server: ServerProcess, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    import json

    import soundfile as sf

    from mirloop.cli.main import main

    timeline = tmp_path / "timeline.json"
    timeline.write_text(json.dumps(short_timeline(seed=6)))
    out = tmp_path / "out.wav"
    argv = ["render", str(timeline), "-o", str(out), "--midi", "--seed", "6", "--use", "renderer=amper"]
    assert main([*argv, "--set", f"renderer.url={server.url}"]) == 0
    assert abs(sf.info(str(out)).duration - 1.0) < 0.05
    assert out.with_suffix(".mid").read_bytes().startswith(b"MThd")
    assert "seed 6" in capsys.readouterr().out
    assert main([*argv, "--set", f"renderer.url={server.url}", "--sr", "22050"]) == 2
    assert "--sr sets the built-in renderer" in capsys.readouterr().err
