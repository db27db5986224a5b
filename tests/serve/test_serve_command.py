"""``mirloop serve`` is a command of the ``mirloop`` group, loaded only when used."""

from __future__ import annotations

import pytest

from mirloop.cli.main import main


def test_serve_is_listed_and_documents_its_options(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--help"]) == 0
    assert "serve" in capsys.readouterr().out
    assert main(["serve", "--help"]) == 0
    text = capsys.readouterr().out
    for option in (
        "--host",
        "--port",
        "--data",
        "--workers",
        "--queue-limit",
        "--max-upload-mb",
        "--no-warm-up",
        "--config",
    ):
        assert option in text
    assert "MIRLOOP_SERVE_API_KEYS" in text


def test_a_bad_fault_setting_stops_the_command_with_one_clear_line(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], tmp_path: object
) -> None:
    monkeypatch.setenv("MIRLOOP_SERVE_FAULTS", "explode=1")
    assert main(["serve", "--data", str(tmp_path), "--port", "0"]) == 2
    assert "MIRLOOP_SERVE_FAULTS: cannot read 'explode=1'" in capsys.readouterr().err


def test_serving_beyond_loopback_without_api_keys_warns(tmp_path: object) -> None:
    import subprocess
    import sys

    from mirloop.serve.testing import free_port

    command = [
        sys.executable,
        "-m",
        "mirloop.cli.main",
        "serve",
        "--host",
        "0.0.0.0",
        "--port",
        str(free_port()),
        "--data",
        str(tmp_path),
        "--no-warm-up",
    ]
    with subprocess.Popen(command, stderr=subprocess.PIPE, text=True, start_new_session=True) as process:
        try:
            assert process.stderr is not None
            line = process.stderr.readline()
            assert "warning: listening on 0.0.0.0 without API keys" in line
        finally:
            process.terminate()
            process.wait(timeout=20)
