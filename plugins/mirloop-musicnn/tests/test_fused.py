"""The ``fused`` classifier: the tagger's genre with the shipped model's descriptor hierarchy."""

from __future__ import annotations

import numpy as np
import pytest
from mirloop.classify.backend import DEFAULT_MODEL, load_cached
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


def test_features_without_the_librosa_columns_name_the_fix(synthetic_weights: object) -> None:
    features = MusicnnFeatures(librosa=False).extract(TrackContext(drum_pattern(110.0, 12.0, seed=2)))

    with pytest.raises(ConfigError, match=r"--set features.librosa=true"):
        MusicnnFused().predict(features)


def test_a_weight_outside_zero_to_one_is_refused() -> None:
    with pytest.raises(ConfigError, match="weight"):
        MusicnnFused(weight=1.5)


@pytest.mark.usefixtures("exported")
def test_the_fused_classifier_conforms_with_the_exported_weights() -> None:
    check_backend("classifier", "fused")


def test_the_loop_hears_its_renders_with_the_model_alone_on_librosa_features() -> None:
    from mirloop.config import load_config
    from mirloop.loop.configuration import render_analysis_config

    config = load_config({"features": {"backend": "musicnn"}, "classifier": {"backend": "fused"}})

    heard = render_analysis_config(config, segment=True)

    assert heard.backend("features") == "librosa"
    assert heard.backend("classifier") == "mlp"
    assert heard.options("classifier") == {"model": str(DEFAULT_MODEL), "domain": "render"}
