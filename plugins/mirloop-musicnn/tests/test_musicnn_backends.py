"""The ``musicnn`` feature extractor and classifier keep mirloop's stage contracts."""

from __future__ import annotations

from pathlib import Path

import attrs
import numpy as np
import pytest
from mirloop.errors import ConfigError, OptionError
from mirloop.plugins import registry
from mirloop.signal import TrackContext
from mirloop.testing import check_backend
from mirloop.testing.signals import drum_pattern
from mirloop.types import FEATURE_NAMES, Audio

from mirloop_musicnn import MusicnnFeatures, MusicnnTagger
from mirloop_musicnn.tags import model_columns
from mirloop_musicnn.track import track_outputs, track_patches
from mirloop_musicnn.weights import load_model

CATALOG_GENRES = (
    "ambient", "cinematic", "documentary", "electronica", "folk", "hiphop", "jazz", "pop", "rock"
)


def context(seconds: float) -> TrackContext:
    return TrackContext(drum_pattern(120.0, seconds, seed=1))


def test_both_backends_are_registered_by_the_plugin() -> None:
    assert registry().get("features", "musicnn").cls is MusicnnFeatures
    assert registry().get("classifier", "musicnn").cls is MusicnnTagger


@pytest.mark.usefixtures("synthetic_weights")
def test_the_feature_extractor_conforms() -> None:
    features = check_backend("features", "musicnn")

    assert features.values.shape == (8, 21 + 50 + 50 + 200)  # the librosa features first, by default
    assert features.names[21:23] == ("musicnn_mtt_guitar", "musicnn_mtt_classical")
    assert "musicnn_msd_hip_hop" in features.names and "musicnn_msd_female_vocalists" in features.names
    assert features.names[-1] == "musicnn_emb_199"


@pytest.mark.usefixtures("synthetic_weights")
def test_the_classifier_conforms_on_the_features_it_reads() -> None:
    prediction = check_backend("classifier", "musicnn")

    assert set(prediction.targets) == {"genre"}
    assert prediction["genre"].classes == CATALOG_GENRES


@pytest.mark.usefixtures("synthetic_weights")
def test_each_window_is_the_mean_of_the_patches_centred_in_it() -> None:
    ctx = context(24.0)
    features = MusicnnFeatures(msd=False, embedding=False, librosa=False).extract(ctx)
    patches = track_patches(ctx, hop_seconds=3.0)
    tags = track_outputs(ctx, load_model("MTT_musicnn"), hop_seconds=3.0).tags

    inside = (patches.centers >= 2.0) & (patches.centers < 12.0)  # window 1: [2, 12) s

    assert inside.sum() == 3  # centres 4.5, 7.5, 10.5 s
    np.testing.assert_allclose(features.values[1], tags[inside].mean(axis=0), rtol=1e-6)


@pytest.mark.usefixtures("synthetic_weights")
def test_groups_choose_the_columns_and_librosa_features_come_first() -> None:
    ctx = context(14.0)

    embeddings_only = MusicnnFeatures(mtt=False, msd=False, librosa=False).extract(ctx)
    beside = MusicnnFeatures(mtt=False, msd=False).extract(ctx)  # librosa=True by default

    assert embeddings_only.names == tuple(f"musicnn_emb_{i}" for i in range(200))
    assert beside.names == FEATURE_NAMES + embeddings_only.names
    assert beside.pca_input is not None and beside.pca_input.shape[0] == ctx.grid.n_windows
    np.testing.assert_allclose(beside.values[:, 21:], embeddings_only.values)


@pytest.mark.usefixtures("synthetic_weights")
@pytest.mark.parametrize("seconds", [0.5, 2.9, 7.0])
def test_tracks_shorter_than_a_patch_or_a_window_get_one_row(seconds: float) -> None:
    features = MusicnnFeatures().extract(context(seconds))

    assert features.values.shape == (1, 321) and np.isfinite(features.values).all()


def test_the_track_is_turned_into_patches_once(synthetic_weights: Path) -> None:
    ctx = context(12.0)
    first = track_patches(ctx, hop_seconds=3.0)

    MusicnnFeatures().extract(ctx)
    MusicnnFeatures(mtt=False).extract(ctx)

    assert track_patches(ctx, hop_seconds=3.0) is first


@pytest.mark.usefixtures("synthetic_weights")
def test_option_models_chooses_whose_tag_columns_are_made() -> None:
    ctx = context(14.0)

    features = MusicnnFeatures(models="MTT_vgg, MSD_musicnn", embedding=False, librosa=False).extract(ctx)

    assert features.names == model_columns("MSD_musicnn") + model_columns("MTT_vgg")
    assert features.names[50:52] == ("musicnn_vgg_mtt_guitar", "musicnn_vgg_mtt_classical")
    alone = MusicnnFeatures(models=["MTT_vgg"], msd=False, embedding=False, librosa=False).extract(ctx)
    np.testing.assert_allclose(features.values[:, 50:], alone.values)


def test_an_unknown_model_is_refused_with_the_valid_names() -> None:
    with pytest.raises(OptionError, match=r"option 'models' of backend 'musicnn' names unknown models "
                                          r"\['VGG'\]; choose one or more of MTT_musicnn, MSD_musicnn, "
                                          "MTT_vgg"):
        MusicnnFeatures(models="MTT_musicnn,VGG")
    with pytest.raises(OptionError, match="names no model"):
        MusicnnTagger(models="")


@pytest.mark.usefixtures("synthetic_weights")
def test_the_tagger_reads_the_average_of_the_models_it_is_given() -> None:
    """With the VGG models' columns equal to the musicnn models' (here: copied), averaging all four
    changes nothing; with other values, the genre probabilities move (the sum-rule table, which
    has no prior to average)."""
    from mirloop_musicnn.genre_table import DEFAULT_TABLE

    table = str(DEFAULT_TABLE.with_name("genre_tags_sum.toml"))
    every = ["MTT_musicnn", "MSD_musicnn", "MTT_vgg", "MSD_vgg"]
    features = MusicnnFeatures(models=every, embedding=False, librosa=False).extract(context(14.0))
    copied = features.values.copy()
    copied[:, 100:200] = features.values[:, :100]
    same = attrs.evolve(features, values=copied)

    default = MusicnnTagger(table=table).predict(same)["genre"].probabilities
    averaged = MusicnnTagger(table=table, models=every).predict(same)["genre"].probabilities
    vgg = MusicnnTagger(table=table, models="MTT_vgg,MSD_vgg").predict(features)["genre"].probabilities

    np.testing.assert_allclose(averaged, default, rtol=1e-9)
    assert not np.allclose(vgg, MusicnnTagger(table=table).predict(features)["genre"].probabilities)


def test_switching_every_group_off_is_refused() -> None:
    with pytest.raises(OptionError, match="every group switched off"):
        MusicnnFeatures(mtt=False, msd=False, embedding=False, librosa=False)


@pytest.mark.parametrize("hop", [0.0, -1.0, 12.0])
def test_an_impossible_patch_hop_is_refused(hop: float) -> None:
    with pytest.raises(OptionError, match="patch_hop"):
        MusicnnFeatures(patch_hop=hop)


def test_options_are_validated_at_the_boundary() -> None:
    with pytest.raises(OptionError, match="option 'mtt' of backend 'musicnn' expects bool"):
        MusicnnFeatures(mtt="maybe")


@pytest.mark.usefixtures("synthetic_weights")
def test_the_classifier_refuses_features_without_the_tag_columns() -> None:
    features = MusicnnFeatures(msd=False).extract(context(12.0))

    with pytest.raises(ConfigError, match=r"lack \['musicnn_msd_ambient'.*--use features=musicnn"):
        MusicnnTagger().predict(features)


def test_the_analysis_refuses_the_classifier_with_other_features(tmp_path: Path) -> None:
    import mirloop

    with pytest.raises(ConfigError, match="add --use features=musicnn"):
        mirloop.analyze(tmp_path / "x.wav", config={"classifier": {"backend": "musicnn"}})


def test_missing_weights_name_the_setup_command(tmp_path: Path) -> None:
    from mirloop.errors import ModelError

    with pytest.raises(ModelError, match="mirloop-musicnn setup --weights"):
        MusicnnFeatures(weights=str(tmp_path / "none")).extract(context(4.0))


@pytest.mark.usefixtures("exported")
def test_both_backends_conform_with_the_exported_weights() -> None:
    check_backend("features", "musicnn")
    check_backend("features", "musicnn", librosa=False)
    check_backend("classifier", "musicnn")


@pytest.mark.usefixtures("exported")
def test_the_tagger_hears_a_drum_machine_as_electronic_not_classical() -> None:
    audio = drum_pattern(128.0, 20.0, seed=0)
    features = MusicnnFeatures(embedding=False).extract(TrackContext(Audio(audio.samples, audio.sr)))

    genre = MusicnnTagger().predict(features)["genre"]

    probabilities = dict(zip(genre.classes, genre.track_probabilities(), strict=True))
    assert genre.track_label == "electronica"
    assert probabilities["electronica"] > 10 * probabilities["cinematic"]


@pytest.mark.usefixtures("synthetic_weights")
def test_mirloop_classify_runs_the_tagger(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    import json

    import soundfile
    from mirloop.cli.main import main

    path = tmp_path / "drums.wav"
    audio = drum_pattern(120.0, 14.0, seed=2)
    soundfile.write(path, audio.samples, audio.sr)

    assert main(["classify", str(path), "--use", "features=musicnn,classifier=musicnn", "--json"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert set(report["labels"]) == {"genre"} and report["labels"]["genre"] in CATALOG_GENRES
