"""The JAMS document of an analysis: valid against the JAMS schema, with every estimate."""

from __future__ import annotations

from pathlib import Path

import attrs
import jams
import pytest

from mirloop.io.jams_io import analysis_to_jams, write_jams
from tests.io.analyses import sample_analysis

# jams validates through a jsonschema call that jsonschema has deprecated
pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning:jsonschema")


def by_namespace(jam: jams.JAMS, namespace: str, scope: str | None = None) -> list[jams.Annotation]:
    found = jam.search(namespace=namespace)
    if scope is not None:
        found = [a for a in found if getattr(a.sandbox, "mirloop", None) == scope]
    return list(found)


def test_the_document_validates_and_describes_the_file() -> None:
    jam = analysis_to_jams(sample_analysis())

    assert jam.validate()
    assert jam.file_metadata.duration == 30.0
    assert jam.file_metadata.title == "song"


def test_global_tempo_in_the_tempo_namespace_and_the_curve_beside_it() -> None:
    jam = analysis_to_jams(sample_analysis())

    (tempo,) = by_namespace(jam, "tempo")
    assert [(o.time, o.duration, o.value, o.confidence) for o in tempo.data] == [(0.0, 30.0, 120.0, 0.9)]
    (curve,) = by_namespace(jam, "blob", "window_tempo")
    assert len(curve.data) == 11 and curve.data[0].value == 120.0 and curve.data[-1].value == 90.0
    (beats,) = by_namespace(jam, "beat")
    assert len(beats.data) == 60


def test_track_and_window_keys() -> None:
    jam = analysis_to_jams(sample_analysis())

    (track,) = by_namespace(jam, "key_mode", "track_key")
    assert [o.value for o in track.data] == ["A:minor"]
    (windows,) = by_namespace(jam, "key_mode", "window_key")
    values = [o.value for o in windows.data]
    assert values[0] == "A:minor" and values[-1] == "C:major"
    assert windows.data[0].duration == 10.0


def test_segments_and_descriptor_tags() -> None:
    jam = analysis_to_jams(sample_analysis())

    (segments,) = by_namespace(jam, "segment_open")
    assert [(o.time, o.duration, o.value) for o in segments.data] == [(0.0, 12.0, "A"), (12.0, 18.0, "B")]
    (track_tags,) = by_namespace(jam, "tag_open", "track_tags")
    assert [o.value for o in track_tags.data] == ["genre:rock"]
    (window_tags,) = by_namespace(jam, "tag_open", "window_tags")
    assert window_tags.data[-1].value == "genre:jazz"
    assert window_tags.data[-1].confidence == pytest.approx(0.8)


def test_no_tags_without_a_classifier() -> None:
    assert by_namespace(analysis_to_jams(sample_analysis(classifier=False)), "tag_open") == []


def test_each_annotation_names_its_backend() -> None:
    jam = analysis_to_jams(sample_analysis())

    (segments,) = by_namespace(jam, "segment_open")
    assert segments.annotation_metadata.annotator["name"] == "toy"
    assert segments.annotation_metadata.annotator["stage"] == "segmenter"
    assert "segmenter backend 'toy'" in segments.annotation_metadata.annotation_tools


def test_written_file_loads_back(tmp_path: Path) -> None:
    path = write_jams(sample_analysis(), tmp_path / "song.jams")

    loaded = jams.load(str(path))

    assert loaded.file_metadata.title == "song"
    assert len(loaded.annotations) == len(analysis_to_jams(sample_analysis()).annotations)


def test_writing_validates_the_document_once_and_refuses_an_invalid_one(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Saving validates (strictly); building the document for it does not validate it again. A
    document the schema refuses is not written, and no temporary file is left."""
    calls = []
    validate = jams.JAMS.validate

    def counted(self: jams.JAMS, strict: bool = True) -> bool:
        calls.append(strict)
        return validate(self, strict=strict)

    monkeypatch.setattr(jams.JAMS, "validate", counted)
    write_jams(sample_analysis(), tmp_path / "song.jams")
    assert calls == [True]

    monkeypatch.setattr(jams.JAMS, "validate", validate)
    analysis = sample_analysis()
    tempo = analysis.tempo
    assert tempo is not None
    beats_before_the_start = attrs.evolve(tempo, beats=tempo.beats - 1.0)  # JAMS times are >= 0
    with pytest.raises(jams.SchemaError):
        write_jams(attrs.evolve(analysis, tempo=beats_before_the_start), tmp_path / "bad.jams")
    assert sorted(path.name for path in tmp_path.iterdir()) == ["song.jams"]
