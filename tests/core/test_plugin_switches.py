"""Environment switches: autoload off, an allow-list of plugins, and tracing of hook calls."""

from __future__ import annotations

import re

import pytest

from mirloop.plugins import PluginWarning, build_registry
from tests.core.plugin_sources import FIXED_TEMPO_PLUGIN, InstallPlugin, plugin_source

OTHER_PLUGIN = plugin_source('''
    class Quiet(Backend):
        name = "quiet"
        stage = "separator"

        def separate(self, audio):
            return {"accompaniment": audio}


    @hookimpl
    def register_separators(register):
        register(Quiet)
''')


@pytest.fixture
def two_plugins(install_plugin: InstallPlugin) -> None:
    install_plugin("fixed", FIXED_TEMPO_PLUGIN)
    install_plugin("quiet", OTHER_PLUGIN)


def test_without_switches_every_installed_plugin_loads(two_plugins: None) -> None:
    registry = build_registry()
    assert {"fixed", "quiet"} <= set(registry.plugins)


def test_disabling_autoload_keeps_only_mirloops_own_plugins(
    two_plugins: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("MIRLOOP_DISABLE_PLUGIN_AUTOLOAD", "1")
    registry = build_registry()
    assert set(registry.plugins.values()) == {"mirloop"}
    assert "fixed" not in registry.names("tempo")


def test_the_allow_list_loads_only_the_named_third_party_plugins(
    two_plugins: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("MIRLOOP_PLUGINS", "quiet")
    registry = build_registry()
    assert "quiet" in registry.plugins
    assert "fixed" not in registry.plugins
    assert {"librosa", "builtin"} <= set(registry.plugins), "built-in plugins always load"


def test_an_allow_list_name_that_matches_no_plugin_is_warned_about(
    two_plugins: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("MIRLOOP_PLUGINS", "qiuet,fixed")

    with pytest.warns(PluginWarning, match=r"names 'qiuet', which matches no installed third-party plugin; "
                      r"did you mean 'quiet'\?") as caught:
        registry = build_registry()

    assert len(caught) == 1
    assert "fixed" in registry.plugins and "quiet" not in registry.plugins


def test_an_allow_list_of_installed_plugins_gives_no_warning(
    two_plugins: None, monkeypatch: pytest.MonkeyPatch, recwarn: pytest.WarningsRecorder
) -> None:
    monkeypatch.setenv("MIRLOOP_PLUGINS", "quiet, fixed")

    build_registry()

    assert not [w for w in recwarn if issubclass(w.category, PluginWarning)]


def test_tracing_prints_every_registration_hook_call_with_its_duration(
    two_plugins: None, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("MIRLOOP_TRACE", "1")
    build_registry()
    lines = capsys.readouterr().err.splitlines()
    traced = [line for line in lines if line.startswith("[mirloop trace]")]
    assert any(re.search(r"register_inducers .*fixed.* [0-9.]+ ms", line) for line in traced), traced
    assert any(re.search(r"register_separators .*quiet.* [0-9.]+ ms", line) for line in traced), traced


def test_without_tracing_nothing_is_printed(two_plugins: None, capsys: pytest.CaptureFixture[str]) -> None:
    build_registry()
    assert "[mirloop trace]" not in capsys.readouterr().err


def test_tracing_prints_every_backend_call_of_an_analysis_with_its_duration(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    import mirloop
    from mirloop.testing.signals import drum_pattern

    monkeypatch.setenv("MIRLOOP_TRACE", "1")
    mirloop.analyze_audio(drum_pattern(120.0, 12.0))
    err = capsys.readouterr().err
    for call in ("features:librosa extract", "tempo:librosa estimate_tempo", "key:librosa estimate_key",
                 "segmenter:laplacian segment"):
        assert re.search(rf"\[mirloop trace\] {call} [0-9.]+ ms", err), err
