"""Two third-party plugins that register the same backend name: the name is refused for both.

mirloop cannot tell which plugin the user meant by ``--use key=ks``; running either one would be a
guess, and blaming the one that happened to load second would be wrong half the time. So both
plugins are named, the name serves neither, and every way of reaching it says why.
"""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from mirloop.cli.main import cli, main
from mirloop.config import load_config
from mirloop.errors import BackendClashError
from mirloop.plugins import build_registry, registry
from mirloop.testing import ConformanceError, check_backend
from tests.core.plugin_sources import InstallPlugin, plugin_source

KEY_PLUGIN = plugin_source('''
    import numpy as np

    from mirloop.types import Key, KeyEstimate


    class {cls}(Backend):
        name = "ks"
        stage = "key"

        def estimate_key(self, ctx):
            n = ctx.grid.n_windows
            key = Key("{tonic}", "major")
            return KeyEstimate(key, 0.5, (key,) * n, np.full(n, 0.5))


    class {cls}Tempo(Backend):
        name = "{tempo}"
        stage = "tempo"

        def estimate_tempo(self, ctx):
            from mirloop.types import TempoEstimate

            return TempoEstimate(100.0, 0.5, np.full(ctx.grid.n_windows, 100.0))


    @hookimpl
    def register_inducers(register):
        register({cls})
        register({cls}Tempo)
''')


def key_plugin(cls: str, tonic: str, tempo: str) -> str:
    return KEY_PLUGIN.format(cls=cls, tonic=tonic, tempo=tempo)


@pytest.fixture
def clash(install_plugin: InstallPlugin) -> None:
    """``zz-honest`` and ``aa-impostor`` both register key backend ``ks``."""
    install_plugin("zz-honest", key_plugin("Honest", "A", "honest-tempo"))
    install_plugin("aa-impostor", key_plugin("Impostor", "C", "impostor-tempo"))


def test_the_name_is_refused_for_both_plugins_and_both_are_named(clash: None) -> None:
    reg = build_registry()

    assert "ks" not in reg.names("key")
    (found,) = reg.clashes
    assert (found.stage, found.name) == ("key", "ks")
    assert found.plugins == ("aa-impostor", "zz-honest")


def test_the_other_backends_of_both_plugins_still_load(clash: None) -> None:
    reg = build_registry()

    assert {"honest-tempo", "impostor-tempo"} <= set(reg.names("tempo"))
    assert not reg.failures


def test_asking_for_the_name_says_who_claims_it(clash: None) -> None:
    with pytest.raises(BackendClashError) as caught:
        build_registry().get("key", "ks")

    message = str(caught.value)
    assert "plugin 'aa-impostor' (distribution mirloop-aa-impostor 0.1.0)" in message
    assert "plugin 'zz-honest' (distribution mirloop-zz-honest 0.1.0)" in message
    assert "MIRLOOP_PLUGINS=" in message


def test_the_load_order_does_not_depend_on_sys_path(install_plugin: InstallPlugin) -> None:
    install_plugin("same", key_plugin("First", "A", "first-tempo"), dist="mirloop-aa")
    install_plugin("same", key_plugin("Second", "C", "second-tempo"), dist="mirloop-zz", own_folder=True)

    reg = build_registry()

    assert reg.plugins["same"] == "mirloop-aa", "one entry-point name: the first distribution by name loads"
    assert "already used by distribution 'mirloop-aa'" in reg.failures[0].error


def test_config_check_fails_naming_the_clash(clash: None, capsys: pytest.CaptureFixture[str]) -> None:
    status = main(["config", "--check", "--use", "key=ks"])

    out, err = capsys.readouterr()
    assert status == 2
    assert "configuration is valid" not in out
    assert "error: key backend name 'ks'" in err and "'aa-impostor'" in err and "'zz-honest'" in err


def test_config_check_notes_a_clash_on_a_backend_it_does_not_use(clash: None) -> None:
    result = CliRunner().invoke(cli, ["config", "--check"])
    report = json.loads(CliRunner().invoke(cli, ["config", "--check", "--json"]).output)

    assert result.exit_code == 0
    assert "# note: key backend name 'ks' is registered by plugin 'aa-impostor'" in result.output
    assert any("'zz-honest'" in note for note in report["notes"])


def test_the_analysis_refuses_the_name(clash: None) -> None:
    from mirloop.pipelines.analyze import resolve_analysis_config

    with pytest.raises(BackendClashError, match="refuses it for all of them"):
        resolve_analysis_config(load_config(use=["key=ks"]))


def test_the_conformance_kit_names_the_clash(clash: None) -> None:
    registry(reload=True)
    with pytest.raises(ConformanceError, match=r"key backend name 'ks' is registered by plugin 'aa-impos"):
        check_backend("key", "ks")


def test_mirloop_plugins_lists_the_clash_under_both_plugins(clash: None) -> None:
    text = CliRunner().invoke(cli, ["plugins"]).output
    report = json.loads(CliRunner().invoke(cli, ["plugins", "--json"]).output)

    assert "backend names refused" in text
    assert ("key 'ks': plugin aa-impostor (mirloop-aa-impostor 0.1.0), "
            "plugin zz-honest (mirloop-zz-honest 0.1.0)") in text
    (listed,) = report["clashes"]
    assert (listed["stage"], listed["name"], listed["plugins"]) == ("key", "ks", ["aa-impostor", "zz-honest"])
    assert [claim["module"] for claim in listed["claims"]] == [
        "mirloop_aa_impostor_plugin.Impostor", "mirloop_zz_honest_plugin.Honest"]
