"""MIRLOOP_MODEL and MIRLOOP_SOUNDFONT are a layer of the configuration: recorded with their
source, below every file and flag, and only for a backend that has the option."""

from __future__ import annotations

from pathlib import Path

from mirloop.config import OPTION_VARIABLES, load_config


def test_each_variable_gives_its_option_and_is_listed_as_a_source(tmp_path: Path) -> None:
    environ = {"MIRLOOP_SOUNDFONT": "/fonts/gm.sf2", "MIRLOOP_MODEL": "/models/mlp"}
    config = load_config(cwd=tmp_path, environ=environ, use=["classifier=mlp"])
    assert config.options("renderer") == {"soundfont": "/fonts/gm.sf2"}
    assert config.options("classifier") == {"model": "/models/mlp"}
    assert config.sources[-2:] == ("MIRLOOP_MODEL=/models/mlp", "MIRLOOP_SOUNDFONT=/fonts/gm.sf2")
    assert set(OPTION_VARIABLES) == {"MIRLOOP_MODEL", "MIRLOOP_SOUNDFONT"}


def test_a_file_or_flag_that_sets_the_option_wins_over_the_variable(tmp_path: Path) -> None:
    (tmp_path / "mirloop.toml").write_text('[renderer]\nsoundfont = "bundled"\n')
    config = load_config(cwd=tmp_path, environ={"MIRLOOP_SOUNDFONT": "/fonts/gm.sf2"},
                         set=["classifier.model=/flag"], use=["classifier=knn"])
    assert config.options("renderer") == {"soundfont": "bundled"}
    assert not any(source.startswith("MIRLOOP_SOUNDFONT") for source in config.sources)
    config = load_config(cwd=tmp_path, environ={"MIRLOOP_MODEL": "/env"}, use=["classifier=knn"],
                         set=["classifier.model=/flag"])
    assert config.options("classifier") == {"model": "/flag"}


def test_a_stage_switched_off_or_a_backend_without_the_option_takes_nothing(tmp_path: Path) -> None:
    config = load_config(cwd=tmp_path, environ={"MIRLOOP_MODEL": "/models/mlp"})
    assert config.backend("classifier") == "none" and config.options("classifier") == {}
    config.validate()  # no option on a stage that is off
    config = load_config({"renderer": "none"}, cwd=tmp_path, environ={"MIRLOOP_SOUNDFONT": "/x.sf2"})
    assert config.options("renderer") == {}


def test_the_variable_reaches_the_renderer_only_through_the_configuration(tmp_path: Path) -> None:
    from mirloop.renderer.api import resolve_options

    font = str(tmp_path / "mine.sf2")
    config = load_config(cwd=tmp_path, environ={"MIRLOOP_SOUNDFONT": font})
    assert resolve_options(config).soundfont == font


def test_a_backend_a_later_merge_switches_to_still_gets_the_variable(tmp_path: Path) -> None:
    """The loop and the web server choose the classifier after the configuration is loaded; the
    variable must reach that backend, and never one that sets the option or lacks it."""
    config = load_config(cwd=tmp_path, environ={"MIRLOOP_MODEL": "/models/mlp"})
    assert config.options("classifier") == {}
    chosen = config.merged({"classifier": {"backend": "mlp"}}, "loop default")
    assert chosen.options("classifier") == {"model": "/models/mlp"}
    assert chosen.sources[-2:] == ("loop default", "MIRLOOP_MODEL=/models/mlp")
    assert config.merged({"classifier": {"backend": "knn", "model": "/mine"}}, "job").options(
        "classifier"
    ) == {"model": "/mine"}
    unset = load_config(cwd=tmp_path, environ={})
    assert unset.merged({"classifier": "mlp"}, "x").options("classifier") == {}
