"""Plugin code that would register nothing is warned about, and a refused hook says why.

pluggy calls only functions marked ``@hookimpl`` whose names are hook names, with arguments
named as in the hook specification. Anything else would silently do nothing; like pytest with
its ``pytest_`` functions, mirloop warns instead (:class:`PluginWarning`).
"""

from __future__ import annotations

import pytest
from click.testing import CliRunner

from mirloop import plugins
from mirloop.cli.main import cli
from mirloop.plugins import PluginWarning, build_registry
from tests.core.plugin_sources import FIXED_TEMPO_PLUGIN, InstallPlugin, plugin_source

WITHOUT_HOOKIMPL = FIXED_TEMPO_PLUGIN.replace("@hookimpl\n", "")

RETURNS_CLASSES = FIXED_TEMPO_PLUGIN.replace("    register(FixedTempo)", "    return [FixedTempo]")

MISSPELT_UNMARKED = FIXED_TEMPO_PLUGIN.replace("@hookimpl\ndef register_inducers", "def register_inducer")

MISSPELT_MARKED = FIXED_TEMPO_PLUGIN.replace("def register_inducers", "def register_inducer")

PARAMETER_NOT_REGISTER = plugin_source('''
    @hookimpl
    def register_inducers(add):
        pass
''')

IMPORTS_A_HOOK_NAMED_FUNCTION = FIXED_TEMPO_PLUGIN + "\nfrom mirloop.hookspecs import register_segmenters\n"


def plugin_warnings(record: pytest.WarningsRecorder) -> list[str]:
    return [str(w.message) for w in record if issubclass(w.category, PluginWarning)]


def test_a_hook_without_hookimpl_is_warned_about(install_plugin: InstallPlugin) -> None:
    install_plugin("unmarked", WITHOUT_HOOKIMPL)

    with pytest.warns(PluginWarning) as record:
        registry = build_registry()

    (message,) = plugin_warnings(record)
    assert "plugin 'unmarked': register_inducers() is not decorated with @mirloop.hookimpl" in message
    assert "fixed" not in registry.names("tempo")


def test_a_hook_that_returns_classes_instead_of_registering_them_is_warned_about(
    install_plugin: InstallPlugin,
) -> None:
    install_plugin("returner", RETURNS_CLASSES)

    with pytest.warns(PluginWarning) as record:
        build_registry()

    (message,) = plugin_warnings(record)
    assert "plugin 'returner': register_inducers() returned [<class" in message
    assert "call register(cls) once per backend class" in message


def test_a_misspelt_unmarked_hook_gets_a_did_you_mean(install_plugin: InstallPlugin) -> None:
    install_plugin("typo", MISSPELT_UNMARKED)

    with pytest.warns(PluginWarning) as record:
        build_registry()

    (message,) = plugin_warnings(record)
    assert "register_inducer() looks like a hook but mirloop has no hook of that name" in message
    assert "did you mean 'register_inducers'?" in message


def test_a_misspelt_marked_hook_fails_its_plugin_with_a_did_you_mean(install_plugin: InstallPlugin) -> None:
    install_plugin("typo", MISSPELT_MARKED)

    (failure,) = build_registry().failures

    assert "unknown hook 'register_inducer'" in failure.error
    assert failure.error.endswith("did you mean 'register_inducers'?")


def test_a_correct_plugin_and_an_imported_hook_function_give_no_warning(
    install_plugin: InstallPlugin, recwarn: pytest.WarningsRecorder
) -> None:
    install_plugin("fixed", IMPORTS_A_HOOK_NAMED_FUNCTION)

    registry = build_registry()

    assert plugin_warnings(recwarn) == []
    assert "fixed" in registry.names("tempo")


def test_a_hook_parameter_not_named_register_shows_pluggys_reason(install_plugin: InstallPlugin) -> None:
    install_plugin("renamed", PARAMETER_NOT_REGISTER)

    (failure,) = build_registry().failures

    assert "\n" not in failure.error, "one line, so `mirloop plugins` shows all of it"
    assert "hookimpl definition: register_inducers(add)" in failure.error
    assert "Argument(s) {'add'} are declared in the hookimpl but can not be found" in failure.error
    assert "named `register`" in failure.error


def test_mirloop_plugins_shows_the_whole_reason_without_verbose(
    install_plugin: InstallPlugin, monkeypatch: pytest.MonkeyPatch
) -> None:
    install_plugin("renamed", PARAMETER_NOT_REGISTER)
    monkeypatch.setattr(plugins, "_REGISTRY", None)

    text = CliRunner().invoke(cli, ["plugins"]).output

    assert ("renamed (mirloop-renamed): PluginValidationError: Plugin 'renamed' for hook "
            "'register_inducers' hookimpl definition: register_inducers(add) Argument(s) {'add'}") in text
