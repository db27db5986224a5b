"""Renders are sized before anything is allocated: one number cannot ask for gigabytes."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from mirloop.cli.main import main
from mirloop.errors import RenderError
from mirloop.renderer.api import render_descriptor
from tests.renderer.conftest import FAST


def one_region_ending_at(end: float) -> dict[str, object]:
    return {"spans": [
        {"time": 0, "type": "metered",
         "actions": [{"time": 0, "add_region": {"descriptor": "rock_indie_driving"}}]},
        {"time": end, "type": "unmetered"},
    ]}


def test_a_timeline_ending_at_1e9_s_is_refused_naming_the_limit(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    timeline = tmp_path / "long.json"
    timeline.write_text(json.dumps(one_region_ending_at(1e9)))
    assert main(["render", str(timeline), "-o", str(tmp_path / "out.wav")]) == 2
    message = capsys.readouterr().err
    # mirloop render streams into the file, so the streamed render's limit (24 h) applies
    assert "the render would last 1e+09 s, past the limit of 86400 s" in message
    assert "MIRLOOP_MAX_STREAMED_RENDER_SECONDS" in message
    assert not (tmp_path / "out.wav").exists()


def test_a_huge_render_duration_is_refused(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "out.wav"
    code = main(["render", "--descriptor", "rock_indie_driving", "--duration", "1e9", "-o", str(out)])
    assert code == 2
    assert "MIRLOOP_MAX_STREAMED_RENDER_SECONDS" in capsys.readouterr().err
    code = main(["render", "--descriptor", "rock_indie_driving", "--duration", "1e9", "--stems",
                 "-o", str(out)])
    assert code == 2
    assert "MIRLOOP_MAX_STREAMED_RENDER_SECONDS" in capsys.readouterr().err
    code = main(["render", "--descriptor", "rock_indie_driving", "--duration", "1e9",
                 "--set", "renderer.randomize=mix", "-o", str(out)])
    assert code == 2
    assert "MIRLOOP_MAX_RENDER_SECONDS" in capsys.readouterr().err
    assert not out.exists()


@pytest.mark.parametrize("duration", ["nan", "inf"])
def test_a_render_duration_that_is_not_a_number_is_a_usage_error(
    duration: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "out.wav"
    code = main(["render", "--descriptor", "rock_indie_driving", "--duration", duration, "-o", str(out)])
    assert code == 2
    assert "--duration" in capsys.readouterr().err


def test_the_render_limit_follows_its_environment_variable(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MIRLOOP_MAX_RENDER_SECONDS", "1.5")
    with pytest.raises(RenderError, match=r"2 s, past the limit of 1\.5 s"):
        render_descriptor("rock_indie_driving", 2.0, seed=1, config=FAST)
    assert render_descriptor("rock_indie_driving", 1.0, seed=1, config=FAST).duration == pytest.approx(1.0)


def test_a_limit_that_is_not_a_number_is_a_configuration_error(monkeypatch: pytest.MonkeyPatch) -> None:
    from mirloop.errors import ConfigError

    monkeypatch.setenv("MIRLOOP_MAX_RENDER_SECONDS", "lots")
    with pytest.raises(ConfigError, match="MIRLOOP_MAX_RENDER_SECONDS='lots' is not a limit"):
        render_descriptor("rock_indie_driving", 1.0, seed=1, config=FAST)


@pytest.mark.parametrize("durations", ["1e9", "10,1e9", "nan", "inf"])
def test_dataset_generate_refuses_durations_past_the_limit_before_writing(
    durations: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "data"
    code = main(["dataset", "generate", "-o", str(out), "--durations", durations, "--limit-descriptors", "1"])
    assert code == 2
    err = capsys.readouterr().err
    assert err.startswith("error: ") and "Traceback" not in err
    assert not out.exists()
