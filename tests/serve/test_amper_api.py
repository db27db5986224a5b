"""Amper's simple-render API over loopback: a render moves through its statuses to ``CREATED``
with files of each preset; bad requests get one clear error; downloads never leave the job."""

from __future__ import annotations

import io
import time
from typing import Any

import requests
import soundfile as sf

from mirloop.serve.testing import ServerProcess
from tests.serve.conftest import misspelt_timeline, short_timeline, two_regions


def post_render(
    server: ServerProcess, timeline: dict[str, Any], preset: str = "MASTER_WAV", **extra: Any
) -> Any:
    body = {
        "data": {"type": "simple_renders", "attributes": {"timeline": timeline, "preset": preset, **extra}}
    }
    return requests.post(f"{server.url}/v1/simple_renders", json=body, timeout=30)


def follow(
    server: ServerProcess, render_id: str, *, timeout: float = 90.0
) -> tuple[dict[str, Any], list[str]]:
    """Poll a render until it ends; returns its last document and every status seen, in order."""
    seen: list[str] = []
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        body = requests.get(f"{server.url}/v1/simple_renders/{render_id}", timeout=30).json()
        status = body["data"]["attributes"]["status"]
        if not seen or seen[-1] != status:
            seen.append(status)
        if status in ("CREATED", "FAILED_CREATE"):
            return body, seen
        time.sleep(0.05)
    raise AssertionError(f"render {render_id} did not finish; statuses {seen}\n{server.tail()}")


ORDER = ["WAITING_COMPOSE", "RUNNING_COMPOSE", "WAITING_RENDER", "RUNNING_RENDER", "CREATED"]


def test_a_render_moves_through_the_statuses_in_order_to_created_with_its_files(
    server: ServerProcess,
) -> None:
    answer = post_render(server, short_timeline(), seed=11)
    assert answer.status_code == 202
    created = answer.json()["data"]
    assert created["type"] == "simple_renders"
    assert created["attributes"]["status"] == "WAITING_COMPOSE"
    body, seen = follow(server, created["id"])
    assert seen == sorted(seen, key=ORDER.index), seen  # never backwards
    assert seen[-1] == "CREATED" and "RUNNING_RENDER" in seen
    attributes = body["data"]["attributes"]
    assert attributes["progress_percent"] == 100.0
    assert attributes["seed"] == 11
    files = {f["name"]: f for f in attributes["files"]}
    assert {"master.wav", "master.mid", "master.jams", "timeline.json", "truth.json"} <= set(files)
    wav = requests.get(files["master.wav"]["download_url"], timeout=30)
    assert wav.status_code == 200 and wav.headers["content-type"] == "audio/wav"
    assert len(wav.content) == files["master.wav"]["size"]
    info = sf.info(io.BytesIO(wav.content))
    assert info.format == "WAV" and abs(info.duration - 1.0) < 0.05


def test_master_mp3_is_an_mp3_and_stems_wav_has_one_wav_per_instrument(server: ServerProcess) -> None:
    mp3 = post_render(server, short_timeline(seed=2), "MASTER_MP3").json()["data"]["id"]
    stems = post_render(server, two_regions(), "STEMS_WAV").json()["data"]["id"]
    mp3_files = {f["name"]: f for f in follow(server, mp3)[0]["data"]["attributes"]["files"]}
    content = requests.get(mp3_files["master.mp3"]["download_url"], timeout=30).content
    assert sf.info(io.BytesIO(content)).format == "MP3"
    assert mp3_files["master.mp3"]["content_type"] == "audio/mpeg"
    stem_names = [
        f["name"]
        for f in follow(server, stems)[0]["data"]["attributes"]["files"]
        if f["name"].startswith("master_stems/")
    ]
    assert len([n for n in stem_names if n.endswith(".wav")]) >= 2


def test_a_bad_timeline_is_refused_with_the_json_path_of_the_problem(server: ServerProcess) -> None:
    answer = post_render(server, misspelt_timeline())
    assert answer.status_code == 422
    detail = answer.json()["errors"][0]["detail"]
    assert "rock_indie_drivng" in detail and "rock_indie_driving" in detail  # names it and the nearest


def test_a_request_that_is_not_a_render_is_refused_as_invalid(server: ServerProcess) -> None:
    answer = requests.post(f"{server.url}/v1/simple_renders", json={"data": {"type": "songs"}}, timeout=30)
    assert answer.status_code == 422
    assert answer.json()["errors"][0]["detail"]
    wrong_preset = post_render(server, short_timeline(), "MASTER_FLAC")
    assert wrong_preset.status_code == 422


def test_unknown_renders_and_unlisted_files_are_not_found(server: ServerProcess) -> None:
    assert requests.get(f"{server.url}/v1/simple_renders/{'0' * 32}", timeout=30).status_code == 404
    assert requests.get(f"{server.url}/v1/simple_renders/nope", timeout=30).status_code == 404
    render_id = post_render(server, short_timeline(seed=4)).json()["data"]["id"]
    follow(server, render_id)
    for name in (
        "../../mirloop.db",
        "..%2F..%2Fmirloop.db",
        "%2e%2e/%2e%2e/mirloop.db",
        "/etc/passwd",
        "master_stems/../../../mirloop.db",
        "master.wav%00.txt",
    ):
        answer = requests.get(f"{server.url}/v1/simple_renders/{render_id}/files/{name}", timeout=30)
        assert answer.status_code == 404, name
        assert b"SQLite" not in answer.content and b"root:" not in answer.content


def test_the_catalog_is_served_as_descriptor_band_and_instrument_entities(server: ServerProcess) -> None:
    from mirloop.catalog import load_catalog

    descriptors = requests.get(f"{server.url}/v1/entities/descriptor", timeout=30).json()
    assert {d["id"] for d in descriptors["data"]} == set(load_catalog().names())
    assert descriptors["meta"]["count"] == len(load_catalog())
    bands = requests.get(f"{server.url}/v1/entities/band", timeout=30).json()["data"]
    instruments = requests.get(f"{server.url}/v1/entities/instrument", timeout=30).json()["data"]
    known = {i["id"] for i in instruments}
    assert bands and all(set(b["attributes"]["instruments"]) <= known for b in bands)
    assert requests.get(f"{server.url}/v1/entities/song", timeout=30).status_code == 422


def test_a_json_body_past_the_limit_is_refused_before_it_is_read(server: ServerProcess) -> None:
    huge = (
        b'{"data": {"type": "simple_renders", "attributes": {"timeline": {"meta": "'
        + b"x" * (5 << 20)
        + b'"}}}}'
    )
    answer = requests.post(
        f"{server.url}/v1/simple_renders", data=huge, headers={"Content-Type": "application/json"}, timeout=30
    )
    assert answer.status_code == 413 and "4 MB" in answer.json()["errors"][0]["detail"]
