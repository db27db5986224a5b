"""Domain randomisation: a seeded chain, byte-identical on rerun, recorded and read back."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from mirloop.errors import OptionError, RenderError
from mirloop.renderer import randomize, render_descriptor, write_render
from mirloop.renderer.effects import codec
from mirloop.renderer.randomize import (
    CODEC_FALLBACK,
    RANGES,
    ChainParams,
    apply_chain,
    draw_chain,
    usable_chain,
)
from mirloop.renderer.soundfont import GM_FONTS, GmFont, installed_soundfonts
from mirloop.types.render import RenderResult
from tests.renderer.conftest import FAST


def _render(seed: int, mode: str = "full", **options: object) -> RenderResult:
    return render_descriptor(
        "rock_indie_driving", 4.0, seed=seed, config={**FAST, "randomize": mode, **options}
    )


def _drawn(result: RenderResult) -> dict[str, Any]:
    assert result.augmentation is not None
    return result.augmentation


@pytest.mark.parametrize("mode", ["mix", "full"])
def test_a_randomised_render_is_byte_identical_on_rerun(mode: str) -> None:
    first, again = _render(21, mode), _render(21, mode)
    assert first.audio.samples.tobytes() == again.audio.samples.tobytes()
    assert first.augmentation == again.augmentation


def test_other_seeds_draw_other_chains_and_other_audio() -> None:
    one, other = _render(21), _render(22)
    assert one.augmentation != other.augmentation
    differing = {k for k in RANGES if _drawn(one)[k] != _drawn(other)[k]}
    assert differing == set(RANGES)
    assert not np.array_equal(one.audio.samples, other.audio.samples)


def test_the_default_renders_as_before_and_records_nothing() -> None:
    plain = _render(21, "none")
    assert plain.augmentation is None
    assert not np.array_equal(plain.audio.samples, _render(21, "mix").audio.samples)


def test_draws_stay_in_their_documented_ranges_and_mix_shares_the_chain_of_full() -> None:
    fonts = list(installed_soundfonts()[0])
    for seed in range(40):
        full = draw_chain(seed, "full", fonts)
        mix = draw_chain(seed, "mix", fonts)
        assert full is not None and mix is not None
        for name, (low, high) in RANGES.items():
            assert low <= getattr(full, name) <= high
            assert getattr(mix, name) == getattr(full, name)
        assert full.codec in ("mp3", "ogg") and full.soundfont in fonts
        assert (mix.codec, mix.soundfont) == ("none", "")
    assert draw_chain(3, "none") is None
    drawn = {draw_chain(seed, "full", fonts).soundfont for seed in range(40)}  # type: ignore[union-attr]
    assert drawn == set(fonts)


def test_the_recorded_parameters_round_trip_through_the_jams_file(tmp_path: Path) -> None:
    result = _render(5)
    written = write_render(result, tmp_path / "r.wav")
    sandbox = json.loads(written["jams"].read_text())["sandbox"]["mirloop"]
    recorded = ChainParams.from_dict(sandbox["augmentation"])
    assert recorded == ChainParams.from_dict(_drawn(result))
    drawn = draw_chain(5, "full", list(installed_soundfonts()[0]))
    assert drawn is not None and recorded == usable_chain(drawn, 22050)[0]  # as drawn, where applicable
    prefixed = {f"aug_{k}": v for k, v in recorded.to_dict().items()}
    assert ChainParams.from_dict(prefixed) == recorded
    with pytest.raises(RenderError, match="lacks peak_dbfs"):
        ChainParams.from_dict({k: v for k, v in recorded.to_dict().items() if k != "peak_dbfs"})


def test_the_chain_sets_the_drawn_peak_and_the_codec_changes_the_signal() -> None:
    sr = 22050
    t = np.arange(sr * 2) / sr
    audio = np.stack([np.sin(2 * np.pi * 220 * t), np.sin(2 * np.pi * 330 * t)]).astype(np.float32) * 0.5
    params = draw_chain(8, "mix")
    assert params is not None
    out = apply_chain(audio, sr, params, seed=8)
    assert out.shape == audio.shape and out.dtype == np.float32
    assert 20 * np.log10(np.abs(out).max()) == pytest.approx(params.peak_dbfs, abs=0.01)
    codecs = (("mp3", 9.0), ("ogg", 0.95)) if codec.mp3_available() else (("ogg", 0.95),)
    for name, quality in codecs:
        lossy = apply_chain(
            audio,
            sr,
            ChainParams.from_dict({**params.to_dict(), "codec": name, "codec_quality": quality}),
            seed=8,
        )
        assert lossy.shape == audio.shape
        assert 0 < float(np.sqrt(np.mean((lossy - out) ** 2))) < 0.5 * float(np.sqrt(np.mean(out**2)))


def _mp3_seed() -> int:
    return next(s for s in range(100) if draw_chain(s, "full").codec == "mp3")  # type: ignore[union-attr]


def test_without_mp3_a_drawn_mp3_becomes_vorbis_at_the_nearest_quality_and_the_record_says_so(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    seed = _mp3_seed()
    drawn = draw_chain(seed, "full", list(installed_soundfonts()[0]))
    assert drawn is not None
    monkeypatch.setattr(codec, "mp3_available", lambda: False)
    monkeypatch.setattr(randomize, "_noted", set())
    with caplog.at_level("WARNING", logger="mirloop.renderer.randomize"):
        result = _render(seed)
    assert "cannot write MP3" in caplog.text  # said once per process, not only recorded
    recorded = _drawn(result)
    assert (recorded["codec"], recorded["codec_quality"]) == (
        "ogg",
        codec.vorbis_level_for_mp3(drawn.codec_quality),
    )
    assert recorded[CODEC_FALLBACK].startswith(f"mp3 V{drawn.codec_quality:g} drawn")
    assert ChainParams.from_dict(recorded) == usable_chain(drawn, 22050)[0]
    with pytest.raises(RenderError, match="usable_chain"):  # never a silent swap inside the chain
        apply_chain(result.audio.samples, 22050, drawn, seed=seed)


def test_mp3_at_a_rate_it_lacks_falls_back_to_vorbis_and_other_codecs_stay() -> None:
    drawn = draw_chain(_mp3_seed(), "full")
    assert drawn is not None
    usable, note = usable_chain(drawn, 96000)
    assert usable.codec == "ogg" and "no 96000 Hz" in note
    ogg = next(p for s in range(100) if (p := draw_chain(s, "full")) is not None and p.codec == "ogg")
    assert usable_chain(ogg, 96000) == (ogg, "")


@pytest.mark.skipif(not codec.mp3_available(), reason="this libsndfile cannot write MP3")
def test_where_mp3_can_be_written_the_drawn_mp3_is_applied_and_recorded_as_drawn() -> None:
    seed = _mp3_seed()
    recorded = _drawn(_render(seed))
    assert recorded["codec"] == "mp3" and CODEC_FALLBACK not in recorded


def test_a_full_render_uses_the_drawn_sound_font() -> None:
    result = _render(5)
    name = _drawn(result)["soundfont"]
    assert Path(result.soundfont) == installed_soundfonts()[0][name]


def test_a_missing_optional_font_is_skipped_not_an_error(monkeypatch: pytest.MonkeyPatch) -> None:
    absent = GmFont("nowhere_gm", "nowhere-soundfont", ("/nonexistent/nowhere.sf2",))
    monkeypatch.setattr("mirloop.renderer.soundfont.GM_FONTS", (*GM_FONTS, absent))
    found, missing = installed_soundfonts()
    assert "nowhere_gm" not in found and absent in missing
    assert "timgm6mb" in found  # bundled with pretty_midi, so always there
    assert _drawn(_render(5))["soundfont"] in found


def test_an_unknown_mode_is_refused_with_the_valid_ones() -> None:
    with pytest.raises(OptionError, match=r"must be one of \['none', 'mix', 'full'\], got 'loud'"):
        _render(1, "loud")


def test_randomising_needs_no_copyleft_library(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "pedalboard", None)  # import pedalboard would now raise ImportError
    result = _render(1, "full")
    assert result.augmentation is not None and np.abs(result.audio.samples).max() > 0
