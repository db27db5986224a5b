"""``mirloop loop`` reads its inputs once: the folders are walked when the command starts, and
every seed's run loops the tracks found then."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from mirloop.pipelines import batch
from mirloop.pipelines.batch import ScannedInputs


def test_a_folder_is_walked_once_however_many_seeds(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from mirloop.cli.main import main

    folder = tmp_path / "tracks"
    folder.mkdir()
    (folder / "broken.wav").write_bytes(b"this is not audio")  # fails at once: no analysis to wait for
    scans: list[ScannedInputs] = []

    def counted(inputs):  # type: ignore[no-untyped-def]
        scans.append(scanned := scan_inputs(inputs))
        return scanned

    scan_inputs = batch.scan_inputs
    monkeypatch.setattr(batch, "scan_inputs", counted)
    args = ["loop", str(folder), "-o", str(tmp_path / "out"), "--seeds", "0,1", "--renders", "0"]
    args += ["--descriptors", "0", "--no-separation", "--no-audio", "--no-progress", "--json"]

    status = main(args)

    assert status == 1  # the broken track failed, in each seed's run
    assert len(scans) == 1 and scans[0].tracks == (folder / "broken.wav",)
    data = json.loads(capsys.readouterr().out)
    broken = str(folder / "broken.wav")
    assert [(f["seed"], f["source"]) for f in data["failed_tracks"]] == [(0, broken), (1, broken)]
