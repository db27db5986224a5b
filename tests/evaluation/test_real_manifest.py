"""Reading a real-music manifest: one clear error per problem, naming the line and the fix."""

from __future__ import annotations

from pathlib import Path

import pytest

from mirloop.errors import DatasetError
from mirloop.evaluation.coarse_genres import load_coarse_genres
from mirloop.evaluation.real_manifest import MANIFEST_COLUMNS, read_manifest

HEADER = ",".join(MANIFEST_COLUMNS)
GOOD = "a__one,audio/one.ogg,rock,pkg-a,pkg-a 1.0-1,recording,GPL-2,'Rock.ogg'"


def _manifest(tmp_path: Path, *lines: str, header: str = HEADER) -> Path:
    path = tmp_path / "set" / "manifest.csv"
    path.parent.mkdir(exist_ok=True)
    path.write_text("\n".join([header, *lines]) + "\n", encoding="utf-8")
    return path


def test_rows_resolve_inside_the_manifest_folder_and_unlabelled_rows_are_never_selected(
    tmp_path: Path,
) -> None:
    path = _manifest(
        tmp_path,
        GOOD,
        "b__two,two.flac,,pkg-b,pkg-b 2,module-render,GPL-2+,no label,extra column",
        "c__three,sub/../three.ogg,electronic,pkg-b,pkg-b 2,module-render,GPL-2+,'techno'",
    )

    manifest = read_manifest(path, coarse=load_coarse_genres())

    assert [t.track_id for t in manifest.tracks] == ["a__one", "b__two", "c__three"]
    assert manifest.tracks[0].audio == path.parent / "audio" / "one.ogg"
    assert manifest.tracks[2].audio == path.parent / "three.ogg"
    assert [t.track_id for t in manifest.select()] == ["a__one", "c__three"]
    assert [t.track_id for t in manifest.select(kinds=("module-render",))] == ["c__three"]
    assert [t.track_id for t in manifest.select(labels=("rock",))] == ["a__one"]


def test_a_label_basis_column_after_the_contract_is_read_and_selects_tracks(tmp_path: Path) -> None:
    path = _manifest(
        tmp_path,
        GOOD + ",named",
        "b__two,two.flac,electronic,pkg-b,pkg-b 2,recording,GPL-2+,'clip list: style electronic',context",
        "c__three,three.flac,,pkg-b,pkg-b 2,recording,GPL-2+,,",
        header=HEADER + ",label_basis",
    )

    manifest = read_manifest(path, coarse=load_coarse_genres())

    assert [t.label_basis for t in manifest.tracks] == ["named", "context", ""]
    assert [t.track_id for t in manifest.select(bases=("named",))] == ["a__one"]
    assert [t.track_id for t in manifest.select(bases=("context",))] == ["b__two"]
    assert [t.track_id for t in manifest.select(bases=("named", "context"))] == ["a__one", "b__two"]


def test_without_a_label_basis_column_the_basis_is_empty(tmp_path: Path) -> None:
    manifest = read_manifest(_manifest(tmp_path, GOOD), coarse=load_coarse_genres())

    assert manifest.tracks[0].label_basis == ""
    assert manifest.select(bases=("named",)) == ()


def test_root_moves_where_paths_resolve(tmp_path: Path) -> None:
    manifest = read_manifest(_manifest(tmp_path, GOOD), coarse=load_coarse_genres(), root=tmp_path / "audio")

    assert manifest.tracks[0].audio == tmp_path / "audio" / "audio" / "one.ogg"


@pytest.mark.parametrize(
    ("lines", "header", "message"),
    [
        (
            (GOOD,),
            "track_id,path,coarse_label,group,source,kind,license",
            r"lacks column\(s\) \['evidence'\]",
        ),
        (
            (GOOD,),
            "path,track_id,coarse_label,group,source,kind,license,evidence",
            "has its columns in the order",
        ),
        (
            (GOOD.replace(",rock,", ",techno,"),),
            HEADER,
            r"manifest.csv:2: unknown coarse label 'techno'; use one of",
        ),
        ((GOOD, GOOD), HEADER, r"manifest.csv:3: duplicate track_id 'a__one' \(first on line 2\)"),
        ((GOOD.replace("audio/one.ogg", "../elsewhere/one.ogg"),), HEADER, "leaves the manifest's folder"),
        ((GOOD.replace("audio/one.ogg", "/tmp/one.ogg"),), HEADER, "is absolute"),
        ((GOOD.replace("a__one", "a one"),), HEADER, "not filesystem-safe"),
        (
            (GOOD.replace("recording", "cover"),),
            HEADER,
            "kind 'cover' is not one of recording, module-render",
        ),
        ((GOOD.replace("pkg-a,pkg-a", ",pkg-a"),), HEADER, "group is empty"),
        (("a__one,x.ogg,rock",), HEADER, "3 cells, expected at least 8"),
        ((GOOD + ",guessed",), HEADER + ",label_basis", "label_basis 'guessed' is not one of named, context"),
        ((GOOD + ",",), HEADER + ",label_basis", "label_basis '' is not one of named, context"),
    ],
)
def test_a_bad_manifest_is_refused_with_one_clear_error(
    tmp_path: Path, lines: tuple[str, ...], header: str, message: str
) -> None:
    with pytest.raises(DatasetError, match=message):
        read_manifest(_manifest(tmp_path, *lines, header=header), coarse=load_coarse_genres())


def test_a_missing_or_non_utf8_manifest_is_refused(tmp_path: Path) -> None:
    with pytest.raises(DatasetError, match="does not exist"):
        read_manifest(tmp_path / "nowhere.csv", coarse=load_coarse_genres())
    latin = tmp_path / "latin.csv"
    latin.write_bytes((HEADER + "\n" + GOOD.replace("Rock", "R\xf6ck") + "\n").encode("latin-1"))
    with pytest.raises(DatasetError, match="is not UTF-8"):
        read_manifest(latin, coarse=load_coarse_genres())
