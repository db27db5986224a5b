"""Built-in backends are plugins found through the ``mirloop`` entry-point group, like any other."""

from __future__ import annotations

import importlib.metadata as md
import os

import pytest

from mirloop.plugins import GROUP, build_registry
from mirloop.stages import STAGES, Backend
from tests.core.plugin_sources import FIXED_TEMPO_PLUGIN, InstallPlugin

BUILTIN_BACKENDS = {
    "features": "librosa",
    "tempo": "librosa",
    "key": "librosa",
    "segmenter": "laplacian",
    "renderer": "mirloop",
}


def test_builtin_plugins_are_entry_points_of_the_mirloop_distribution() -> None:
    ours = {ep.name for ep in md.entry_points(group=GROUP) if ep.dist and ep.dist.name == "mirloop"}
    registry = build_registry()
    assert ours <= set(registry.plugins)
    assert all(registry.plugins[name] == "mirloop" for name in ours)


@pytest.mark.parametrize(("stage", "name"), sorted(BUILTIN_BACKENDS.items()))
def test_every_default_backend_is_registered_by_a_builtin_plugin(stage: str, name: str) -> None:
    info = build_registry().get(stage, name)
    assert info.dist == "mirloop"
    assert issubclass(info.cls, Backend)
    assert info.cls.stage == stage


def test_the_registry_has_a_table_for_every_stage() -> None:
    assert set(build_registry().backends) == set(STAGES)


def test_a_third_party_distribution_is_discovered_by_its_entry_point(install_plugin: InstallPlugin) -> None:
    install_plugin("fixed", FIXED_TEMPO_PLUGIN, version="1.2.3")
    info = build_registry().get("tempo", "fixed")
    assert (info.plugin, info.dist, info.version) == ("fixed", "mirloop-fixed", "1.2.3")


def test_the_example_plugin_is_found_by_its_entry_point_when_installed() -> None:
    try:
        md.distribution("mirloop-example-plugin")
    except md.PackageNotFoundError:
        if os.environ.get("CI"):
            pytest.fail("CI installs examples/mirloop-example-plugin (make install); it is missing")
        pytest.skip("examples/mirloop-example-plugin is not installed (make install installs it)")
    info = build_registry().get("tempo", "spectral-flux")
    assert info.dist == "mirloop-example-plugin"
