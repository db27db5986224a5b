"""``mirloop.testing`` accepts backends that keep their contract and names what a broken one got wrong."""

from __future__ import annotations

from typing import Any, ClassVar

import numpy as np
import pytest
from attrs import evolve

from mirloop import hookimpl, plugins
from mirloop.signal import TrackContext
from mirloop.stages import Backend, Option
from mirloop.testing import ConformanceError, check_backend, check_class, check_classifier
from mirloop.types import (
    Audio,
    Features,
    GroundTruth,
    Key,
    KeyEstimate,
    Prediction,
    RenderResult,
    Segment,
    Segmentation,
    TargetPrediction,
    TempoEstimate,
)


class MeanLevel(Backend):
    """Features: mean absolute level of each window."""

    name = "mean-level"
    stage = "features"
    options: ClassVar[dict[str, Option]] = {"scale": Option(1.0, float, "multiplier")}

    def extract(self, ctx: TrackContext) -> Features:
        rows = []
        for start, end in zip(ctx.grid.starts, ctx.grid.ends):
            window = ctx.samples[int(start * ctx.sr):int(end * ctx.sr)]
            rows.append([self.opts["scale"] * float(np.abs(window).mean())])
        return Features(ctx.grid, np.array(rows), ("level",))


class Steady(Backend):
    """Tempo: 100 BPM everywhere."""

    name = "steady"
    stage = "tempo"

    def estimate_tempo(self, ctx: TrackContext) -> TempoEstimate:
        beats = np.arange(0.0, ctx.duration, 0.6)
        return TempoEstimate(100.0, 0.5, np.full(ctx.grid.n_windows, 100.0), beats=beats)


class AlwaysC(Backend):
    name = "always-c"
    stage = "key"

    def estimate_key(self, ctx: TrackContext) -> KeyEstimate:
        n = ctx.grid.n_windows
        return KeyEstimate(Key("C", "major"), 0.5, (Key("C", "major"),) * n, np.full(n, 0.5))


class Halves(Backend):
    name = "halves"
    stage = "segmenter"

    def segment(self, ctx: TrackContext) -> Segmentation:
        middle = ctx.duration / 2
        return Segmentation((Segment(0.0, middle, "A"), Segment(middle, ctx.duration, "B")), 2)


class PassThrough(Backend):
    name = "pass-through"
    stage = "separator"

    def separate(self, audio: Audio) -> dict[str, Audio]:
        return {"accompaniment": audio, "vocals": Audio(np.zeros_like(audio.samples), audio.sr)}


class CoinFlip(Backend):
    name = "coin-flip"
    stage = "classifier"

    def predict(self, features: Features) -> Prediction:
        n = features.grid.n_windows
        return Prediction({"genre": TargetPrediction("genre", ("rock", "folk"), np.full((n, 2), 0.5))})


class Beep(Backend):
    """Renderer: a quiet 440-Hz tone as long as the timeline."""

    name = "beep"
    stage = "renderer"

    def render(self, timeline: Any, seed: int | None = None) -> RenderResult:
        t = np.arange(int(timeline.duration * 8000)) / 8000
        audio = Audio(0.1 * np.sin(2 * np.pi * 440 * t), 8000)
        return RenderResult(audio, b"", GroundTruth([], (), timeline.duration), seed or 0)


def with_audio(result: RenderResult, samples: np.ndarray) -> RenderResult:
    return evolve(result, audio=Audio(samples, 8000))


GOOD = [("features", MeanLevel), ("tempo", Steady), ("key", AlwaysC), ("segmenter", Halves),
        ("separator", PassThrough), ("renderer", Beep)]


def broken(base: type[Backend], method: str, replacement: Any) -> type[Backend]:
    """A subclass of ``base`` whose stage method returns ``replacement(self, result, ctx)``."""
    original = getattr(base, method)

    def patched(self: Backend, arg: Any, **kwargs: Any) -> Any:
        return replacement(original(self, arg, **kwargs), arg)

    return type(f"Broken{base.__name__}", (base,), {method: patched})


@pytest.mark.parametrize(("stage", "cls"), GOOD, ids=[stage for stage, _ in GOOD])
def test_a_conforming_backend_passes_and_its_result_is_returned(stage: str, cls: type[Backend]) -> None:
    assert check_backend(stage, cls) is not None


def test_options_are_passed_to_the_backend_class() -> None:
    features = check_backend("features", MeanLevel, scale=2.0)
    plain = check_backend("features", MeanLevel)
    np.testing.assert_allclose(features.values, 2 * plain.values, rtol=1e-6)


class LevelReader(Backend):
    """Classifier that reads the ``level`` column of the ``mean-level`` features only."""

    name = "level-reader"
    stage = "classifier"
    reads_features = "mean-level"

    def predict(self, features: Features) -> Prediction:
        loud = np.clip(features.column("level")[:, None] * 10, 0, 1)  # fails on other features
        probabilities = np.hstack([loud, 1 - loud])
        return Prediction({"genre": TargetPrediction("genre", ("loud", "quiet"), probabilities)})


class _MeanLevelPlugin:
    @staticmethod
    @hookimpl
    def register_feature_extractors(register: Any) -> None:
        register(MeanLevel)


def test_a_classifier_is_checked_on_the_features_it_reads(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(plugins, "_REGISTRY", plugins.build_registry(extra_plugins=(_MeanLevelPlugin(),)))

    prediction = check_backend("classifier", LevelReader)

    assert prediction["genre"].classes == ("loud", "quiet")
    with pytest.raises(ConformanceError, match="not in tuple"):  # no level column in the default features
        check_classifier(type("AnyReader", (LevelReader,), {"reads_features": ""})())


def test_a_conforming_classifier_passes_on_given_features() -> None:
    ctx = TrackContext(Audio(np.full(22050 * 14, 0.1, dtype=np.float32), 22050))
    check_classifier(CoinFlip(), MeanLevel().extract(ctx))


@pytest.mark.parametrize(
    ("stage", "cls", "message"),
    [
        ("features", broken(MeanLevel, "extract", lambda f, ctx: Features(f.grid, f.values * np.nan, ("x",))),
         r"non-finite values in windows \[0, 1, 2, 3, 4\], columns \['x'\]"),
        ("features", broken(MeanLevel, "extract", lambda f, ctx: f.values),
         r"extract\(\) returned ndarray, expected Features"),
        ("tempo", broken(Steady, "estimate_tempo", lambda t, ctx: TempoEstimate(0.0, 0.5, t.window_bpm)),
         r"track tempo is 0\.0 BPM, outside the plausible range \[30, 300\]"),
        ("tempo", broken(Steady, "estimate_tempo", lambda t, ctx: TempoEstimate(99.0, 0.5, t.window_bpm[1:])),
         r"window_bpm has shape \(\d+,\), expected \(\d+,\), one BPM per grid window"),
        ("tempo", broken(Steady, "estimate_tempo",
                         lambda t, ctx: TempoEstimate(100.0, 0.5, t.window_bpm, beats=t.beats[::-1])),
         r"beats are not sorted"),
        ("key", broken(AlwaysC, "estimate_key",
                       lambda k, ctx: KeyEstimate(k.key, 1.5, k.window_keys, k.window_confidence)),
         r"key confidence is 1\.5, expected a number in \[0, 1\]"),
        ("key", broken(AlwaysC, "estimate_key",
                       lambda k, ctx: KeyEstimate(k.key, 0.5, ("C major",) * len(k.window_keys),  # type: ignore[arg-type]
                                                  k.window_confidence)),
         r"window 0 key is 'C major', expected a Key"),
        ("segmenter", broken(Halves, "segment",
                             lambda s, ctx: Segmentation((s.segments[0], Segment(13, ctx.duration, "B")), 2)),
         r"segments 0 and 1 are not consecutive \(12\.000 s then 13\.000 s\)"),
        ("segmenter", broken(Halves, "segment", lambda s, ctx: Segmentation(s.segments[:1], 1)),
         r"the last segment ends at 12\.000 s, the track at 24\.000 s"),
        ("separator", broken(PassThrough, "separate", lambda stems, audio: {"vocals": stems["vocals"]}),
         r"returned stems \['vocals'\]; 'accompaniment' is required"),
        ("separator", broken(PassThrough, "separate",
                             lambda stems, audio: {"accompaniment": Audio(audio.samples[:, :100], audio.sr)}),
         r"stem 'accompaniment' has 100 samples, the input 529200"),
        ("renderer", broken(Beep, "render", lambda r, timeline: with_audio(r, r.audio.samples[:8000])),
         r"rendered 1\.00 s for a timeline of 8\.00 s"),
        ("renderer", broken(Beep, "render", lambda r, timeline: with_audio(r, r.audio.samples * 20)),
         r"rendered audio clips \(peak 2\.000 > 1\)"),
        ("renderer", broken(Beep, "render",
                            lambda r, timeline: with_audio(r, r.audio.samples * np.random.uniform(0.5, 1))),
         r"two renders with seed 0 differ"),
        ("renderer", broken(Beep, "render", lambda r, timeline: r.audio),
         r"render\(\) returned Audio, expected mirloop\.types\.RenderResult"),
    ],
    ids=["nan-features", "not-features", "zero-bpm", "window-count", "unsorted-beats", "confidence",
         "not-a-key", "gap", "short-cover", "no-accompaniment", "stem-length", "render-length", "clipping",
         "unseeded", "bare-audio"],
)
def test_a_broken_backend_is_named_with_its_fault(stage: str, cls: type[Backend], message: str) -> None:
    with pytest.raises(ConformanceError, match=message) as caught:
        check_backend(stage, cls)
    assert f"backend {cls.name!r}" in str(caught.value)


def test_probabilities_that_do_not_sum_to_one_are_reported() -> None:
    class Overconfident(CoinFlip):
        def predict(self, features: Features) -> Prediction:
            n = features.grid.n_windows
            return Prediction({"mood": TargetPrediction("mood", ("calm", "tense"), np.full((n, 2), 0.9))})

    ctx = TrackContext(Audio(np.full(22050 * 14, 0.1, dtype=np.float32), 22050))
    expected = r"target 'mood': probabilities of window 0 sum to 1\.800000, not 1"
    with pytest.raises(ConformanceError, match=expected):
        check_classifier(Overconfident(), MeanLevel().extract(ctx))


def test_a_backend_that_raises_is_reported_with_the_exception() -> None:
    class Crashing(Steady):
        def estimate_tempo(self, ctx: TrackContext) -> TempoEstimate:
            raise ZeroDivisionError("no onsets")

    with pytest.raises(ConformanceError, match=r"estimate_tempo\(\) raised ZeroDivisionError: no onsets"):
        check_backend("tempo", Crashing)


def test_a_backend_that_modifies_the_shared_signal_is_reported() -> None:
    class Normalising(MeanLevel):
        def extract(self, ctx: TrackContext) -> Features:
            ctx.samples[:] /= 2
            return super().extract(ctx)

    with pytest.raises(ConformanceError, match=r"extract\(\) modified the context's samples"):
        check_backend("features", Normalising)


@pytest.mark.parametrize(
    ("cls", "message"),
    [
        (type("NoName", (Steady,), {"name": ""}), r"\.name must be a non-empty string"),
        (type("OtherStage", (Steady,), {"stage": "key"}), r"\.stage is 'key', expected 'tempo'"),
        (type("NoMethod", (Backend,), {"name": "x", "stage": "tempo"}), r"lacks the tempo method"),
        (type("BadOption", (Steady,), {"options": {"bpm": 120}}), r"option 'bpm' is 120, not an Option"),
        (type("BadChoice", (Steady,), {"options": {"feel": Option("x", str, choices=("a", "b"))}}),
         r"default 'x' of option 'feel' is not one of \('a', 'b'\)"),
        (object, r"must subclass mirloop\.stages\.Backend"),
    ],
    ids=["no-name", "other-stage", "no-method", "bad-option", "bad-choice", "not-a-backend"],
)
def test_the_backend_class_is_checked_before_it_runs(cls: type, message: str) -> None:
    with pytest.raises(ConformanceError, match=message):
        check_class("tempo", cls)


def test_a_conformance_error_is_an_assertion_error() -> None:
    assert issubclass(ConformanceError, AssertionError)


class GermanNames(Backend):
    """A key backend whose tonic table spells B the German way (``H``), which is no Key tonic."""

    name = "german"
    stage = "key"
    NAMES = ("C", "C#", "D", "Eb", "E", "F", "F#", "G", "Ab", "A", "Bb", "H")

    def estimate_key(self, ctx: TrackContext) -> KeyEstimate:
        tonic = self.NAMES[int(np.argmax(ctx.track_chroma))]
        key = Key(tonic, "major")
        n = ctx.grid.n_windows
        return KeyEstimate(key, 0.5, (key,) * n, np.full(n, 0.5))


def test_the_key_check_plays_every_tonic_so_a_misspelt_one_is_caught() -> None:
    expected = r"key backend 'german'.*raised SpellingError: unknown tonic 'H'"
    with pytest.raises(ConformanceError, match=expected):
        check_backend("key", GermanNames)


def test_the_key_check_hears_a_cadence_on_each_of_the_12_tonics() -> None:
    heard: list[str] = []

    class Listener(AlwaysC):
        def estimate_key(self, ctx: TrackContext) -> KeyEstimate:
            heard.append(ctx.audio.source)
            return super().estimate_key(ctx)

    check_backend("key", Listener)

    tonics = {source.split("_")[1] for source in heard if source.startswith("cadence_")}
    assert tonics == {"C", "C#", "D", "Eb", "E", "F", "F#", "G", "Ab", "A", "Bb", "B"}
