"""The ``mirloop render`` command and the ``mirloop`` renderer backend."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import soundfile as sf

from mirloop.cli.main import main
from mirloop.errors import OptionError
from mirloop.plugins import registry
from mirloop.timeline import multi_region
from tests.renderer.conftest import FAST


def test_render_a_descriptor_with_tempo_key_and_seed(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "out.wav"
    code = main(
        [
            "render",
            "--descriptor",
            "rock_indie_driving",
            "--duration",
            "3",
            "--tempo",
            "140",
            "--key",
            "fis minor",
            "--seed",
            "4",
            "--sr",
            "22050",
            "--soundfont",
            "bundled",
            "--midi",
            "-o",
            str(out),
            "--json",
        ]
    )
    assert code == 0
    report = json.loads(capsys.readouterr().out)
    assert report["seed"] == 4
    assert report["regions"][0]["tempo"] == 140.0 and report["regions"][0]["key"] == "F# minor"
    assert sf.info(str(out)).frames == 3 * 22050
    assert (tmp_path / "out.jams").is_file() and (tmp_path / "out.mid").is_file()


def test_render_a_timeline_file_with_stems(tmp_path: Path) -> None:
    timeline = tmp_path / "timeline.json"
    timeline.write_text(
        multi_region([(0, 2, "rock_indie_driving"), (2, 4, "ambient_chill_peaceful")]).dumps()
    )
    code = main(
        [
            "render",
            str(timeline),
            "-o",
            str(tmp_path / "mix.flac"),
            "--stems",
            "--seed",
            "1",
            "--set",
            "renderer.sr=22050",
            "--set",
            "renderer.soundfont='bundled'",
        ]
    )
    assert code == 0
    assert sf.info(str(tmp_path / "mix.flac")).frames == 4 * 22050
    assert any((tmp_path / "mix_stems").iterdir())


def test_render_refuses_to_replace_a_stems_folder_it_did_not_write(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "mix_stems").mkdir()
    (tmp_path / "mix_stems" / "notes.txt").write_text("mine")
    args = ["render", "--descriptor", "rock_indie_driving", "--duration", "2", "--seed", "1"]
    args += ["--set", "renderer.sr=22050", "--set", "renderer.soundfont='bundled'"]

    code = main([*args, "-o", str(tmp_path / "mix.wav"), "--stems"])

    assert code == 2
    assert "mix_stems already holds files mirloop did not write (notes.txt)" in capsys.readouterr().err
    assert (tmp_path / "mix_stems" / "notes.txt").read_text() == "mine"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["mix_stems"]


def test_an_unknown_descriptor_suggests_the_nearest(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code = main(["render", "--descriptor", "rock_indie_drivin", "-o", str(tmp_path / "x.wav")])
    assert code == 2
    assert "did you mean 'rock_indie_driving'" in capsys.readouterr().err
    assert not list(tmp_path.iterdir())


def test_an_output_format_mirloop_cannot_write_is_refused_by_its_name_before_the_render(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from mirloop.errors import AudioError
    from mirloop.renderer import render_descriptor
    from mirloop.renderer.writers import write_render

    target = tmp_path / "out.xyz"
    code = main(["render", "--descriptor", "rock_indie_driving", "--duration", "3", "-o", str(target)])
    assert code == 2
    assert capsys.readouterr().err.strip() == (
        f"error: cannot write audio as '.xyz' ({target}); use .wav, .flac, .ogg or .mp3"
    )
    result = render_descriptor("rock_indie_driving", 2.0, seed=1, config=FAST)
    with pytest.raises(AudioError, match=rf"\({target}\)"):  # the target, not a staging path
        write_render(result, target)
    assert not list(tmp_path.iterdir())


def test_the_backend_renders_with_its_validated_options() -> None:
    renderer = registry().create("renderer", "mirloop", {"sr": "22050", "soundfont": "bundled"})
    result = renderer.render(multi_region([(0, 2, "jazz_swing_tense")]), seed=3)
    assert result.audio.samples.shape == (2, 2 * 22050)
    with pytest.raises(OptionError, match="valid options"):
        registry().create("renderer", "mirloop", {"samplerate": 8000})


def test_mirloop_render_is_callable_even_after_its_submodules_are_imported() -> None:
    import mirloop
    import mirloop.renderer.options  # the package is mirloop.renderer; mirloop.render stays the function

    result = mirloop.render(multi_region([(0, 1, "rock_indie_driving")]), seed=1, config=FAST)
    assert result.audio.n_samples == 22050
