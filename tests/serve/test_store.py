"""The job store and the file store, without a server: the queue bound, restart recovery, stale
runs, and uploads judged by their content."""

from __future__ import annotations

import io
import os
from pathlib import Path

import attrs
import numpy as np
import pytest
import soundfile as sf

from mirloop.errors import ConfigError
from mirloop.serve import Faults, FileStore, JobState, JobStore, NotFound, QueueFull, UploadRefused
from mirloop.serve.errors import TooLarge


def wav_bytes(seconds: float = 0.5, sr: int = 8000) -> bytes:
    buffer = io.BytesIO()
    sf.write(buffer, np.zeros(int(seconds * sr), dtype=np.float32), sr, format="WAV")
    return buffer.getvalue()


@pytest.fixture
def store(tmp_path: Path) -> JobStore:
    return JobStore(tmp_path / "mirloop.db", queue_limit=3)


def test_the_queue_refuses_a_job_past_its_limit_until_one_finishes(store: JobStore) -> None:
    jobs = [store.submit("render", {"n": i}) for i in range(3)]
    with pytest.raises(QueueFull, match="3 of 3 jobs"):
        store.submit("render", {"n": 3})
    claimed = store.claim()
    assert claimed is not None and claimed.id == jobs[0].id  # oldest first
    assert store.finish(claimed.id, claimed.run, {"files": []})
    assert store.submit("render", {"n": 3}).state is JobState.QUEUED


def test_a_restart_requeues_running_jobs_and_fails_those_out_of_attempts(store: JobStore) -> None:
    first, second = store.submit("render", {}), store.submit("render", {})
    store.claim()
    store.claim()
    assert store.recover(max_attempts=2) == {"requeued": [first.id, second.id], "failed": []}
    assert {store.get(j.id).state for j in (first, second)} == {JobState.QUEUED}
    again = store.claim()
    assert again is not None and again.run == 2
    recovered = store.recover(max_attempts=2)  # the second start was interrupted too: out of attempts
    assert recovered["failed"] == [again.id]
    failed = store.get(again.id)
    assert failed.state is JobState.FAILED and "server stopped" in (failed.error or "")
    assert len(store.jobs()) == 2  # none lost


def test_a_stale_run_can_no_longer_change_its_job(store: JobStore) -> None:
    job = store.submit("render", {})
    old = store.claim()
    assert old is not None
    store.recover(max_attempts=3)
    new = store.claim()
    assert new is not None and new.run == old.run + 1
    assert not store.progress(job.id, old.run, "render", 50)
    assert not store.finish(job.id, old.run, {"files": ["x"]})
    assert not store.fail(job.id, old.run, "late")
    assert store.progress(job.id, new.run, "render", 50)
    assert store.get(job.id).state is JobState.RUNNING


def test_a_lost_worker_requeues_its_job_once_then_fails_it(store: JobStore) -> None:
    job = store.submit("render", {})
    run = store.claim()
    assert run is not None
    assert store.retry_or_fail(job.id, run.run, "died", max_attempts=2) is JobState.QUEUED
    run = store.claim()
    assert run is not None
    assert store.retry_or_fail(job.id, run.run, "died again", max_attempts=2) is JobState.FAILED
    assert store.get(job.id).error == "died again"


def test_uploads_are_judged_by_content_and_kept_under_a_random_id(store: JobStore, tmp_path: Path) -> None:
    files = FileStore(tmp_path / "data", store)
    stored = files.save_upload(io.BytesIO(wav_bytes()), name="../../etc/passwd.txt", max_bytes=10**6)
    assert stored.content_type == "audio/wav" and stored.info["sr"] == 8000
    assert stored.name == "passwd.txt"  # a label only
    assert files.upload_path(stored.id) == tmp_path / "data" / "files" / stored.id
    assert files.upload_path(stored.id).read_bytes() == wav_bytes()
    assert not (tmp_path / "etc").exists()
    with pytest.raises(UploadRefused, match="not audio"):
        files.save_upload(io.BytesIO(b"RIFF" + os.urandom(2000)), name="song.wav", max_bytes=10**6)
    with pytest.raises(TooLarge, match="larger than the limit"):
        files.save_upload(io.BytesIO(wav_bytes(seconds=2)), name="song.wav", max_bytes=20_000)
    with pytest.raises(UploadRefused, match="empty"):
        files.save_upload(io.BytesIO(b""), name="song.wav", max_bytes=10)
    assert list((tmp_path / "data" / "tmp").iterdir()) == []  # refused uploads leave nothing
    with pytest.raises(NotFound):
        files.upload_path("../mirloop.db")


def test_a_download_is_only_a_file_the_job_listed_inside_the_folder_of_its_run(
    store: JobStore, tmp_path: Path
) -> None:
    files = FileStore(tmp_path / "data", store)
    job = store.submit("render", {})
    first = store.claim()
    assert first is not None
    store.recover(max_attempts=3)  # the first run was interrupted; it still writes its folder late
    second = store.claim()
    assert second is not None
    for run, content in ((first.run, b"stale"), (second.run, wav_bytes())):
        folder = files.run_folder(job.id, run)
        folder.mkdir(parents=True)
        (folder / "master.wav").write_bytes(content)
    current = files.run_folder(job.id, second.run)
    (current / "notes").mkdir()
    (current / "notes" / "a.json").write_text("{}")
    assert files.outputs(current) == ["master.wav", "notes/a.json"]
    assert store.finish(
        job.id, second.run, {"files": [*files.outputs(current), "escape.wav"], "folder": current.name}
    )
    assert not store.finish(job.id, first.run, {"files": ["master.wav"], "folder": f"run-{first.run}"})
    done = store.get(job.id)
    assert files.output_path(done, "master.wav").read_bytes() == wav_bytes()  # not the stale run's
    (current / "escape.wav").symlink_to(tmp_path / "data" / "mirloop.db")
    for name in ("escape.wav", "../mirloop.db", "../../mirloop.db", "/etc/passwd", "../run-1/master.wav"):
        with pytest.raises(NotFound):
            files.output_path(done, name)
    with pytest.raises(UploadRefused, match=r"escape\.wav"):
        files.outputs(current)  # a link out of the folder is never listed as an output
    forged = attrs.evolve(store.get(job.id), result={"files": ["x"], "folder": "../.."})
    with pytest.raises(NotFound):
        files.output_folder(forged)


def test_the_fault_setting_reads_names_and_refuses_anything_else() -> None:
    assert Faults.parse("error_rate=0.5, delay=0.2") == Faults(error_rate=0.5, delay=0.2)
    assert not Faults.parse("").any
    with pytest.raises(ConfigError, match="error_rate, delay, fail_renders, render_delay"):
        Faults.parse("errors=1")
    with pytest.raises(ConfigError, match="not a number"):
        Faults.parse("delay=soon")


def test_injected_faults_are_spread_evenly_and_the_same_on_every_run() -> None:
    from mirloop.serve.settings import faulty

    third = [faulty(i, 0.33) for i in range(12)]
    assert [i for i, fails in enumerate(third) if fails] == [3, 6, 9]  # never twice in a row
    assert [faulty(i, 0.5) for i in range(6)] == [False, True] * 3
    assert all(faulty(i, 1.0) for i in range(5)) and not any(faulty(i, 0.0) for i in range(5))
    assert sum(faulty(i, 0.1) for i in range(1000)) == 100


def test_the_fault_setting_fails_a_render_in_its_worker(tmp_path: Path) -> None:
    from mirloop.serve import ServeSettings
    from mirloop.serve.tasks import render
    from mirloop.serve.worker import run_job
    from mirloop.timeline import single_region

    settings = ServeSettings(tmp_path / "data", faults=Faults(fail_renders=1.0))
    jobs = JobStore(settings.database)
    params = render.check({"timeline": single_region("rock_indie_driving", 1.0).to_json()}, settings)
    job = jobs.submit("render", params)
    run = jobs.claim()
    assert run is not None
    assert run_job(settings, job.id, run.run) == "failed"
    failed = jobs.get(job.id)
    assert failed.state is JobState.FAILED and "fault injected" in (failed.error or "")
    assert not (tmp_path / "data" / "jobs" / job.id / "run-1").exists()  # its staging folder is gone


def test_a_request_sets_analysis_options_but_never_a_file() -> None:
    from mirloop.serve.tasks.analysis import job_config

    allowed = {"tempo": {"backend": "librosa", "max_bpm": 180}, "segmenter": {"max_types": 4}}
    assert job_config(allowed) == allowed
    for refused in (
        {"classifier": {"model": "models/mlp"}},
        {"classifier": {"model": "mlp"}},
        {"tempo": {"backend": "../../evil"}},
        {"tempo": {"prior": [1, 2]}},
        {"renderer": {"soundfont": "/etc/passwd"}},
        {"tempo": 180},
    ):
        with pytest.raises(ConfigError, match="config\\."):
            job_config(refused)


def test_a_job_switching_the_classifier_gets_the_servers_model_variable(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """A request may not name a model file, so ``$MIRLOOP_MODEL`` is how a server chooses one; it
    must reach the backend a job switches to (it used to fall back to the shipped model)."""
    import shutil

    from mirloop.classify.backend import DEFAULT_MODEL
    from mirloop.serve.tasks.analysis import analysis_config, job_config

    model = tmp_path / "server-model"
    shutil.copytree(DEFAULT_MODEL, model)
    monkeypatch.setenv("MIRLOOP_MODEL", str(model))
    monkeypatch.delenv("MIRLOOP_CONFIG", raising=False)
    config = analysis_config(None, job_config({"classifier": {"backend": "mlp"}}))
    assert config.backend("classifier") == "mlp"
    assert config.options("classifier")["model"] == str(model)
