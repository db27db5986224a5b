"""``mirloop plugins``: backends by stage with their origin and options, and failed plugins."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from mirloop import plugins
from mirloop.cli.main import cli

pytestmark = pytest.mark.usefixtures("toy_registry")


def test_every_backend_is_listed_with_its_options() -> None:
    result = CliRunner().invoke(cli, ["plugins"])

    assert result.exit_code == 0
    assert "tempo:" in result.output
    assert "toy — plugin tests.pipelines.toy_backends, (registered directly)" in result.output
    assert "options: bpm=120.0" in result.output


def test_json_names_plugin_distribution_version_aliases_and_options() -> None:
    report = json.loads(CliRunner().invoke(cli, ["plugins", "--json"]).output)

    toy_tempo = next(b for b in report["stages"]["tempo"] if b["name"] == "toy")
    assert toy_tempo == {
        "name": "toy", "aliases": [], "plugin": "tests.pipelines.toy_backends",
        "distribution": "(registered directly)", "version": "",
        "module": "tests.pipelines.toy_backends.ToyTempo", "summary": "a constant tempo",
        "options": {"bpm": 120.0},
    }
    assert set(report["stages"]) >= {"separator", "features", "tempo", "key", "segmenter", "classifier"}
    shipped = next(b for b in report["stages"]["tempo"] if b["name"] == "librosa")
    assert shipped["plugin"] == "librosa" and shipped["distribution"] == "mirloop"
    assert "max_bpm" in shipped["options"]
    assert "tests.pipelines.toy_backends" in report["plugins"]


def test_verbose_shows_the_module_of_each_backend() -> None:
    plain = CliRunner().invoke(cli, ["plugins"]).output
    verbose = CliRunner().invoke(cli, ["plugins", "-v"]).output

    assert "module: tests.pipelines.toy_backends.ToyTempo" in verbose
    assert "module: mirloop.backends.librosa" in verbose
    assert "module:" not in plain


def test_failed_plugins_are_reported_with_their_error(monkeypatch: pytest.MonkeyPatch) -> None:
    class Failing:
        @plugins.hookimpl
        def register_inducers(self, register: object) -> None:
            raise ImportError("No module named 'heavy_dependency'")

    monkeypatch.setattr(plugins, "_REGISTRY", plugins.build_registry(extra_plugins=(Failing(),)))

    text = CliRunner().invoke(cli, ["plugins"]).output
    report = json.loads(CliRunner().invoke(cli, ["plugins", "--json"]).output)

    assert "plugins that failed to load:" in text and "heavy_dependency" in text
    (failure,) = [f for f in report["failures"] if "heavy_dependency" in f["error"]]
    assert failure["plugin"] == "Failing-0" and "Traceback" in failure["details"]
