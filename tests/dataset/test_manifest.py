"""The dataset's manifest: one typed row per render (``ManifestRow``), read and written in one place.

The row a render job returns is the row its part file holds and the row ``manifest.parquet``
holds (without the part's bookkeeping), and reading either gives it back; the manifest's
columns are the ones datasets have always had, in the same order.
"""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest

from mirloop.dataset.generate import GenerationReport
from mirloop.dataset.layout import DatasetLayout
from mirloop.dataset.manifest import ManifestRow, read_manifest, read_part, write_manifest
from mirloop.errors import DatasetError

#: The columns of ``manifest.parquet`` as every dataset so far has them (a randomised render adds
#: its ``aug_*`` columns after them).
COLUMNS = [
    "render_id", "descriptor", "genre", "subgenre", "mood", "sentiment", "valence", "momentum",
    "duration", "tempo_bpm", "band", "tonic", "seed", "sr", "audio_sr", "n_windows", "audio",
    "render_seconds", "feature_seconds", "job_seconds", "feature_backend",
]  # fmt: skip


def test_the_manifest_keeps_its_columns_and_reads_back_into_the_rows_the_run_made(
    tiny_dataset: tuple[Path, GenerationReport],
) -> None:
    root, report = tiny_dataset
    table = pd.read_parquet(root / "manifest.parquet")

    assert list(table.columns) == COLUMNS
    assert str(table["valence"].dtype) == "int64" and str(table["duration"].dtype) == "float64"
    read = read_manifest(root / "manifest.parquet")
    made = {row.render_id: row for row in report.rows}
    assert [row.render_id for row in read] == table["render_id"].tolist()
    for row in read:
        assert row.to_manifest() == made[row.render_id].to_manifest()
        assert row.file_sizes == {} and row.job == {}  # the part's bookkeeping stays in the part


def test_a_part_file_holds_the_row_and_what_tells_a_finished_render(
    tiny_dataset: tuple[Path, GenerationReport],
) -> None:
    root, report = tiny_dataset
    row = report.rows[0]
    path = DatasetLayout(root).row(row.render_id)

    assert json.loads(path.read_text()) == {**row.to_manifest(), "file_sizes": dict(row.file_sizes),
                                            "job": dict(row.job)}
    assert read_part(path) == row
    assert set(row.file_sizes) == {"audio", "timeline", "jams", "features"}
    assert row.job["render_id"] == row.render_id


def a_row(**changes: object) -> ManifestRow:
    labels = {"descriptor": "rock_indie_sad", "genre": "rock", "subgenre": "indie", "mood": "sad",
              "sentiment": "negative", "valence": 0, "momentum": 1}
    row = ManifestRow("rock_indie_sad-3s-000", labels, 3.0, 96.5, "trio", "Eb", 7, 44100, 22050, 1,
                      "renders/rock_indie_sad-3s-000.flac", 0.5, 0.2, 0.8, "librosa")
    return row.evolve(**changes)


def test_a_randomised_renders_chain_is_one_aug_column_per_parameter_after_the_others(tmp_path: Path) -> None:
    row = a_row(augmentation={"mode": "mix", "drive_db": 3.5, "codec_quality": None})

    write_manifest(tmp_path / "manifest.parquet", [row])

    assert list(pd.read_parquet(tmp_path / "manifest.parquet").columns) == [
        *COLUMNS, "aug_mode", "aug_drive_db", "aug_codec_quality"]
    assert read_manifest(tmp_path / "manifest.parquet") == [row]


def test_a_re_extracted_renders_part_names_its_feature_columns_which_the_manifest_leaves_out(
    tmp_path: Path,
) -> None:
    row = a_row(feature_names=("rms",), file_sizes={"features": 812}, job={"render_id": "x"})

    assert row.to_part()["feature_names"] == ["rms"]
    assert "feature_names" not in row.to_manifest()
    assert ManifestRow.from_dict(row.to_part()) == row


@pytest.mark.parametrize(
    ("change", "complaint"),
    [(lambda r: r.pop("audio_sr"), "lacks audio_sr"),
     (lambda r: r.update(loudness=-14), "has unknown columns loudness")],
    ids=["missing", "unknown"],
)
def test_a_row_with_a_missing_or_unknown_column_is_refused_by_name(change, complaint) -> None:  # type: ignore[no-untyped-def]
    record = a_row().to_manifest()
    change(record)

    with pytest.raises(DatasetError, match=f"rock_indie_sad-3s-000 {complaint}.*generate the dataset again"):
        ManifestRow.from_dict(record)


def test_a_torn_part_file_reads_as_not_done(tmp_path: Path) -> None:
    path = tmp_path / "part.json"
    path.write_text(json.dumps(a_row().to_part())[:40])

    assert read_part(path) is None
    assert read_part(tmp_path / "absent.json") is None
