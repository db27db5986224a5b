"""Installed, the plugin is found by its entry point and selectable by configuration."""

from __future__ import annotations

from pathlib import Path

from mirloop.config import load_config
from mirloop.plugins import build_registry

from mirloop_example import SpectralFluxTempo


def test_the_entry_point_registers_the_backend() -> None:
    info = build_registry().get("tempo", "spectral-flux")
    assert info.cls is SpectralFluxTempo
    assert (info.plugin, info.dist) == ("example", "mirloop-example-plugin")


def test_it_is_selected_and_configured_like_any_backend(tmp_path: Path) -> None:
    (tmp_path / "mirloop.toml").write_text('[tempo]\nbackend = "spectral-flux"\nmax_bpm = 180\n')
    config = load_config(cwd=tmp_path, environ={})
    backend = build_registry().create("tempo", config.backend("tempo"), config.options("tempo"))
    assert isinstance(backend, SpectralFluxTempo)
    assert backend.opts["max_bpm"] == 180.0
