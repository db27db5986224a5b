"""A broken plugin is reported by name with its error; every other plugin still loads."""

from __future__ import annotations

import pytest

from mirloop.errors import BackendNotFoundError
from mirloop.plugins import Registry, build_registry
from tests.core.plugin_sources import FIXED_TEMPO_PLUGIN, InstallPlugin, plugin_source

IMPORT_ERROR = "import mirloop_no_such_dependency\n"

HOOK_RAISES = plugin_source('''
    @hookimpl
    def register_segmenters(register):
        raise RuntimeError("model file segmenter.bin is missing")
''')

NOT_A_BACKEND = plugin_source('''
    class Loose:
        name = "loose"
        stage = "tempo"

        def estimate_tempo(self, ctx):
            return None


    @hookimpl
    def register_inducers(register):
        register(Loose)
''')

WRONG_STAGE = plugin_source('''
    class Misplaced(Backend):
        name = "misplaced"
        stage = "key"

        def estimate_key(self, ctx):
            return None


    @hookimpl
    def register_segmenters(register):
        register(Misplaced)
''')

MISSING_METHOD = plugin_source('''
    class Lazy(Backend):
        name = "lazy"
        stage = "segmenter"


    @hookimpl
    def register_segmenters(register):
        register(Lazy)
''')

DUPLICATE_NAME = FIXED_TEMPO_PLUGIN.replace("FixedTempo", "AnotherFixedTempo")

MISSPELT_HOOK = plugin_source('''
    @hookimpl
    def register_tempo_inducers(register):
        pass
''')


def failure_of(registry: Registry, plugin: str) -> str:
    errors = [f.error for f in registry.failures if f.plugin == plugin]
    assert errors, f"no failure recorded for {plugin!r}: {registry.failures}"
    return errors[0]


@pytest.fixture
def healthy(install_plugin: InstallPlugin) -> None:
    install_plugin("fixed", FIXED_TEMPO_PLUGIN)


def test_an_import_error_is_reported_and_the_other_plugins_load(
    healthy: None, install_plugin: InstallPlugin
) -> None:
    install_plugin("needs-dep", IMPORT_ERROR)
    registry = build_registry()
    assert "mirloop_no_such_dependency" in failure_of(registry, "needs-dep")
    assert "ModuleNotFoundError" in failure_of(registry, "needs-dep")
    assert "needs-dep" not in registry.plugins
    assert "fixed" in registry.names("tempo")


def test_a_raising_hook_is_reported_with_the_hook_name_and_message(
    healthy: None, install_plugin: InstallPlugin
) -> None:
    install_plugin("raises", HOOK_RAISES)
    registry = build_registry()
    error = failure_of(registry, "raises")
    assert "register_segmenters" in error
    assert "segmenter.bin is missing" in error
    assert "fixed" in registry.names("tempo")


def test_registering_something_that_is_not_a_backend_class_is_reported(
    healthy: None, install_plugin: InstallPlugin
) -> None:
    install_plugin("loose", NOT_A_BACKEND)
    registry = build_registry()
    assert "not a mirloop.stages.Backend" in failure_of(registry, "loose")
    assert "loose" not in registry.names("tempo")
    assert "fixed" in registry.names("tempo")


def test_registering_a_backend_through_the_wrong_hook_is_reported(install_plugin: InstallPlugin) -> None:
    install_plugin("misplaced", WRONG_STAGE)
    error = failure_of(build_registry(), "misplaced")
    assert "stage 'key'" in error
    assert "registers segmenter" in error


def test_a_backend_without_its_stage_method_is_reported(install_plugin: InstallPlugin) -> None:
    install_plugin("lazy", MISSING_METHOD)
    assert "segment" in failure_of(build_registry(), "lazy")


def test_one_plugin_registering_two_classes_under_one_name_is_reported(install_plugin: InstallPlugin) -> None:
    install_plugin("twice", DUPLICATE_NAME.replace("    register(AnotherFixedTempo)",
                                                   "    register(AnotherFixedTempo)\n    register(Copy)")
                   + "\n\nclass Copy(AnotherFixedTempo):\n    pass\n")
    registry = build_registry()
    assert "'fixed' from plugin 'twice' is already taken by plugin 'twice'" in failure_of(registry, "twice")


def test_a_duplicate_entry_point_name_is_reported_not_silently_dropped(
    healthy: None, install_plugin: InstallPlugin
) -> None:
    install_plugin("fixed", FIXED_TEMPO_PLUGIN, dist="mirloop-copycat")
    registry = build_registry()
    error = failure_of(registry, "fixed")
    assert "already used by distribution" in error
    assert "fixed" in registry.names("tempo")


def test_a_misspelt_hook_fails_its_plugin_only(healthy: None, install_plugin: InstallPlugin) -> None:
    install_plugin("typo", MISSPELT_HOOK)
    registry = build_registry()
    assert "register_tempo_inducers" in failure_of(registry, "typo")
    assert "typo" not in registry.plugins
    assert "fixed" in registry.names("tempo")


def test_asking_for_a_backend_of_a_failed_plugin_says_why(install_plugin: InstallPlugin) -> None:
    install_plugin("needs-dep", IMPORT_ERROR)
    with pytest.raises(BackendNotFoundError, match=r"plugin 'needs-dep' failed to load: ModuleNotFoundError"):
        build_registry().get("tempo", "needs-dep")


def test_asking_for_a_missing_backend_mentions_every_failed_plugin(install_plugin: InstallPlugin) -> None:
    install_plugin("raises", HOOK_RAISES)
    with pytest.raises(BackendNotFoundError, match=r"plugin\(s\) raises failed to load and may provide it"):
        build_registry().get("segmenter", "fancy")


def test_a_third_party_plugin_cannot_take_a_builtin_name(install_plugin: InstallPlugin) -> None:
    install_plugin("aaa-shadow", FIXED_TEMPO_PLUGIN.replace('name = "fixed"', 'name = "librosa"'))
    registry = build_registry()
    assert registry.get("tempo", "librosa").dist == "mirloop"
    assert "already taken by plugin 'librosa'" in failure_of(registry, "aaa-shadow")
