"""The ``fused`` classifier: the tagger's genre with the shipped model's descriptor hierarchy."""

from __future__ import annotations

import numpy as np
import pytest
from mirloop.classify.backend import DEFAULT_MODEL, SHIPPED_MODELS, load_cached
from mirloop.errors import ConfigError
from mirloop.plugins import registry
from mirloop.signal import TrackContext
from mirloop.testing import check_backend
from mirloop.testing.signals import drum_pattern

from mirloop_musicnn import MusicnnFeatures, MusicnnTagger
from mirloop_musicnn.fused import MusicnnFused, model_features


@pytest.fixture
def features(synthetic_weights: object):  # type: ignore[no-untyped-def]
    return MusicnnFeatures().extract(TrackContext(drum_pattern(110.0, 24.0, seed=2)))


def _model_alone(features):  # type: ignore[no-untyped-def]
    model = load_cached(str(DEFAULT_MODEL))
    base = model_features(features, model.info.feature_names, model.info.feature_backend)
    return model, model.predict(base, domain="render")


def test_the_fused_classifier_is_registered_with_a_domain_option() -> None:
    info = registry().get("classifier", "fused")
    assert info.cls is MusicnnFused
    assert info.option_table["domain"] == "real" and info.cls.reads_features == "musicnn"


def test_renders_are_heard_by_the_model_alone(features) -> None:  # type: ignore[no-untyped-def]
    _, alone = _model_alone(features)

    fused = MusicnnFused(domain="render").predict(features)

    for target in alone.targets:
        np.testing.assert_array_equal(fused[target].probabilities, alone[target].probabilities)


def test_weight_one_takes_the_taggers_genre_and_zero_the_models(features) -> None:  # type: ignore[no-untyped-def]
    model, alone = _model_alone(features)
    tagged = MusicnnTagger().predict(features)["genre"]
    expected = np.stack([tagged.probabilities[:, tagged.classes.index(g)] for g in model.classes["genre"]], 1)

    by_tagger = MusicnnFused(weight=1.0, scope="window").predict(features)
    by_model = MusicnnFused(weight=0.0).predict(features)

    np.testing.assert_allclose(
        by_tagger["genre"].probabilities, expected / expected.sum(1, keepdims=True), atol=1e-4
    )
    np.testing.assert_allclose(by_model["genre"].probabilities, alone["genre"].probabilities, atol=1e-4)
    triples = {name: triple for triple, name in model.descriptor_of.items()}
    labels = zip(
        by_tagger["genre"].labels, by_tagger["subgenre"].labels, by_tagger["descriptor"].labels, strict=True
    )
    for genre, subgenre, descriptor in labels:  # one descriptor of the window's genre: coherent labels
        assert triples[descriptor][:2] == (genre, subgenre)
    per_track = MusicnnFused(weight=1.0).predict(features)["genre"].probabilities  # scope=track, the default
    np.testing.assert_allclose(per_track, np.repeat(per_track[:1], len(per_track), axis=0), atol=1e-4)


def _certain_detector(tmp_path, *, render: bool):  # type: ignore[no-untyped-def]
    from mirloop_musicnn.render_detector import COLUMNS, RenderDetector, write_render_detector

    detector = RenderDetector(coefficients=np.zeros(len(COLUMNS)), intercept=50.0 if render else -50.0,
                              threshold=0.5, source="test")
    return str(write_render_detector(detector, tmp_path / f"{'render' if render else 'recording'}.toml"))


def test_the_render_detector_sets_the_weight(features, tmp_path) -> None:  # type: ignore[no-untyped-def]
    at = {w: MusicnnFused(weight=w, gate="none").predict(features)["genre"] for w in (0.5, 0.93, 1.0)}
    at = {w: target.probabilities for w, target in at.items()}
    assert not np.allclose(at[0.93], at[1.0])  # the weights differ on this track

    recording = MusicnnFused(detector=_certain_detector(tmp_path, render=False)).predict(features)
    render_like = MusicnnFused(detector=_certain_detector(tmp_path, render=True)).predict(features)
    lower = MusicnnFused(detector=_certain_detector(tmp_path, render=False), recording_weight=0.5)
    chosen = lower.predict(features)

    np.testing.assert_allclose(recording["genre"].probabilities, at[1.0])  # a recording: the tagger's genre
    np.testing.assert_allclose(render_like["genre"].probabilities, at[0.93])  # render-like: fused at `weight`
    np.testing.assert_allclose(chosen["genre"].probabilities, at[0.5])
    assert "a recording, p(render)=0.00" in recording.model and "render-like, p=1.00" in render_like.model


def test_the_gate_needs_every_tag_column(synthetic_weights: object) -> None:
    track = TrackContext(drum_pattern(110.0, 12.0, seed=2))
    features = MusicnnFeatures(msd=False, embedding=False).extract(track)

    with pytest.raises(ConfigError, match=r"render detector reads every musicnn tag column"):
        MusicnnFused().weight_for(features)


def test_features_without_the_librosa_columns_name_the_fix(synthetic_weights: object) -> None:
    features = MusicnnFeatures(librosa=False).extract(TrackContext(drum_pattern(110.0, 12.0, seed=2)))

    with pytest.raises(ConfigError, match=r"--set features.librosa=true"):
        MusicnnFused().predict(features)


def test_a_weight_outside_zero_to_one_is_refused() -> None:
    with pytest.raises(ConfigError, match="weight"):
        MusicnnFused(weight=1.5)
    with pytest.raises(ConfigError, match="'recording_weight'"):
        MusicnnFused(recording_weight=-0.1)


@pytest.mark.usefixtures("exported")
def test_the_fused_classifier_conforms_with_the_exported_weights() -> None:
    check_backend("classifier", "fused")


def test_the_loop_hears_its_renders_with_the_model_alone_on_librosa_features() -> None:
    from mirloop.config import load_config
    from mirloop.loop.configuration import render_analysis_config

    for production, listener in SHIPPED_MODELS.items():  # the model shipped for the renders' production
        config = load_config({"features": {"backend": "musicnn"}, "classifier": {"backend": "fused"},
                              "renderer": {"production": production}})

        heard = render_analysis_config(config, segment=True)

        assert heard.backend("features") == "librosa"
        assert heard.backend("classifier") == "mlp"
        assert heard.options("classifier") == {"model": str(listener), "domain": "render"}
