"""A plugin adds a stage, and the analysis runs it.

The plugin is ``docs/examples/loudness_plugin.py``, installed as a distribution with an entry
point: its ``register_stages`` hook hands mirloop the ``loudness`` stage record and its
``register_backends`` hook the ``rms`` backend. ``mirloop analyze`` then runs the stage after the
built-in ones, writes its result into the JAMS file and the run summary, and skips it when it is
switched off, like a built-in stage.
"""

from __future__ import annotations

import json
from pathlib import Path

import jams
import numpy as np
import pytest
from click.testing import CliRunner, Result

from mirloop import plugins
from mirloop.cli.main import cli
from mirloop.config import load_config
from mirloop.errors import BackendClashError, ConfigError
from mirloop.pipelines.analyze import analyze, analyze_file, resolve_analysis_config
from mirloop.signal import ANALYSIS_SR
from mirloop.stages import stage_names, stage_record
from mirloop.testing import check_backend
from tests.core.plugin_sources import InstallPlugin, plugin_source
from tests.pipelines import toy_backends
from tests.pipelines.audio_files import write

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning:jsonschema")

EXAMPLE = Path(__file__).parents[2] / "docs" / "examples" / "loudness_plugin.py"
#: The fast toy backends for the built-in stages: these tests are about the added one.
TOY = ["--use", "features=toy,tempo=toy,key=toy,segmenter=toy"]
TOY_CONFIG = {stage: "toy" for stage in ("features", "tempo", "key", "segmenter")}
#: The RMS level of a sine is its peak level minus 3.01 dB.
SINE_DBFS = -20.0 - 10 * np.log10(2)


def use_installed_plugins_and_toys(monkeypatch: pytest.MonkeyPatch) -> plugins.Registry:
    """The process-wide registry: what is installed now (entry points), plus the toy backends."""
    registry = plugins.build_registry(extra_plugins=(toy_backends,))
    monkeypatch.setattr(plugins, "_REGISTRY", registry)
    return registry


@pytest.fixture
def loudness_plugin(install_plugin: InstallPlugin, monkeypatch: pytest.MonkeyPatch) -> plugins.Registry:
    install_plugin("loudness", EXAMPLE.read_text())
    return use_installed_plugins_and_toys(monkeypatch)


def sine(path: Path, seconds: float = 14.0, *, dbfs: float = -20.0) -> Path:
    """A 440 Hz sine whose peak is at ``dbfs``."""
    t = np.arange(int(seconds * ANALYSIS_SR)) / ANALYSIS_SR
    return write(path, (10 ** (dbfs / 20) * np.sin(2 * np.pi * 440 * t)).astype(np.float32), ANALYSIS_SR)


def run(*args: object) -> Result:
    return CliRunner().invoke(cli, [str(a) for a in args], catch_exceptions=False)


def stage_annotations(jam: jams.JAMS, stage: str) -> list[jams.Annotation]:
    return [a for a in jam.annotations if getattr(a.sandbox, "stage", None) == stage]


def test_analyze_runs_the_added_stage_and_writes_it_to_the_jams_and_the_summary(
    loudness_plugin: plugins.Registry, tmp_path: Path
) -> None:
    track = sine(tmp_path / "tone.wav")
    result = run("analyze", track, "-o", tmp_path / "out", *TOY, "--no-figure", "--json")

    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    assert report["backends"]["loudness"] == "rms"
    (summary,) = report["tracks"]
    assert summary["backends"]["loudness"] == "rms" and "loudness" in summary["stage_seconds"]
    loudness = summary["extra"]["loudness"]
    assert loudness["unit"] == "dBFS"
    assert loudness["track"] == pytest.approx(SINE_DBFS, abs=0.01)
    assert len(loudness["windows"]) == 3  # 14 s: windows at 0, 2 and 4 s
    written = json.loads((tmp_path / "out" / "summary.json").read_text())
    assert written["tracks"][0]["extra"] == summary["extra"]

    jam = jams.load(str(tmp_path / "out" / "tone" / "tone.jams"))
    (annotation,) = stage_annotations(jam, "loudness")
    assert annotation.namespace == "blob"
    assert [obs.value for obs in annotation.data] == pytest.approx(loudness["windows"], abs=0.01)
    annotator = annotation.annotation_metadata.annotator
    assert (annotator.name, annotator.stage, annotator.plugin, annotator.distribution) == (
        "rms", "loudness", "loudness", "mirloop-loudness")
    assert jam.sandbox.mirloop["backends"]["loudness"] == "rms"


def test_the_summary_table_has_a_column_for_the_added_stage(
    loudness_plugin: plugins.Registry, tmp_path: Path
) -> None:
    track = sine(tmp_path / "tone.wav", dbfs=-6.0)
    result = run("analyze", track, "-o", tmp_path / "out", *TOY, "--no-figure")

    header, row = result.stdout.splitlines()[:2]
    assert "loudness" in header.split()
    assert "-9.0 dBFS" in row  # a -6 dBFS sine: RMS 3 dB lower


def test_the_added_stage_is_switched_off_like_a_built_in_one(
    loudness_plugin: plugins.Registry, tmp_path: Path
) -> None:
    track = sine(tmp_path / "tone.wav")
    result = run("analyze", track, "-o", tmp_path / "out", *TOY, "--use", "loudness=none", "--no-figure",
                 "--json")

    (summary,) = json.loads(result.stdout)["tracks"]
    assert summary["extra"] is None and "loudness" not in summary["backends"]
    assert not stage_annotations(jams.load(str(tmp_path / "out" / "tone" / "tone.jams")), "loudness")
    assert "loudness" not in analyze(track, config={**TOY_CONFIG, "loudness": {"backend": "none"}}).extra


def test_its_backend_and_options_come_from_the_configuration(
    loudness_plugin: plugins.Registry, tmp_path: Path
) -> None:
    silence = write(tmp_path / "silence.wav", np.zeros(12 * ANALYSIS_SR, dtype=np.float32), ANALYSIS_SR)
    (tmp_path / "mirloop.toml").write_text('[loudness]\nbackend = "rms"\nfloor_db = -60\n')
    config = resolve_analysis_config(load_config(cwd=tmp_path).merged(TOY_CONFIG, "test"))

    with pytest.warns(UserWarning, match="silent"):
        analysis = analyze(silence, config=config)
    assert analysis.extra["loudness"].track_dbfs == -60.0
    with pytest.raises(ConfigError, match="option 'floor_db' of backend 'rms' expects float"):
        resolve_analysis_config({"loudness": {"floor_db": "quiet"}})


def test_the_added_stage_runs_after_the_built_in_ones(
    loudness_plugin: plugins.Registry, tmp_path: Path
) -> None:
    started: list[str] = []
    config = resolve_analysis_config(TOY_CONFIG)
    run_ = analyze_file(sine(tmp_path / "tone.wav"), config=config, on_stage=started.append)

    assert started == ["tempo", "features", "key", "segmenter", "loudness"]
    assert run_.analysis.extra["loudness"].grid is run_.context.grid  # the same TrackContext


def test_the_plugin_listing_and_the_configuration_show_the_added_stage(
    loudness_plugin: plugins.Registry
) -> None:
    listing = json.loads(run("plugins", "--json").stdout)
    (backend,) = listing["stages"]["loudness"]
    assert (backend["name"], backend["plugin"]) == ("rms", "loudness")
    shown = json.loads(run("config", "--json", "--set", "loudness.floor_db=-90").stdout)
    assert shown["stages"]["loudness"] == {"backend": "rms", "floor_db": -90}


def test_the_conformance_kit_checks_the_added_stage(loudness_plugin: plugins.Registry) -> None:
    assert check_backend("loudness", "rms").track_dbfs == pytest.approx(SINE_DBFS, abs=0.01)


def test_the_stage_belongs_to_the_registry_that_loaded_the_plugin(
    loudness_plugin: plugins.Registry, monkeypatch: pytest.MonkeyPatch
) -> None:
    record = stage_record("loudness")
    assert record is not None and record.analysis and loudness_plugin.stages == (record,)
    monkeypatch.setattr(plugins, "_REGISTRY", plugins.build_registry(extra_plugins=(toy_backends,)))
    monkeypatch.setenv("MIRLOOP_DISABLE_PLUGIN_AUTOLOAD", "1")
    plugins.registry(reload=True)
    assert "loudness" not in stage_names()


# -- what goes wrong, and who is named ---------------------------------------------------------------------

#: A plugin adding a ``peak`` stage whose backend returns what its ``kind`` option says.
PEAK_PLUGIN = plugin_source('''
    import numpy as np

    from mirloop.stages import Stage


    class PeakMeter:
        def measure_peak(self, ctx): ...


    class Opaque:
        """No to_json(): mirloop cannot write it."""


    class BadAnnotation:
        def to_json(self):
            return {}

        def to_jams(self):
            return {"namespace": "tempo", "observations": [{"time": 0.0, "duration": 1.0, "value": "fast"}]}


    def peak_problem(result, grid):
        return "returned a str" if isinstance(result, str) else None


    class Peak(Backend):
        name = "max"
        stage = "peak"
        options = {"kind": Option("number", str, "what to return")}

        def measure_peak(self, ctx):
            results = {"number": lambda: float(np.max(np.abs(ctx.samples))), "text": lambda: "loud",
                       "opaque": Opaque, "bad-jams": BadAnnotation}
            return results[self.opts["kind"]]()


    @hookimpl
    def register_stages(register):
        register(Stage("peak", PeakMeter, default="max", analysis=True, check=peak_problem))


    @hookimpl
    def register_backends(register):
        register(Peak)
''')


@pytest.fixture
def peak_track(install_plugin: InstallPlugin, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Path:
    install_plugin("peak", PEAK_PLUGIN)
    use_installed_plugins_and_toys(monkeypatch)
    return sine(tmp_path / "tone.wav", 12.0)


def analyze_peak(track: Path, kind: str, out: Path) -> Result:
    return run("analyze", track, "-o", out, *TOY, "--set", f"peak.kind={kind}", "--no-figure", "--json")


def test_a_json_value_result_goes_to_the_jams_sandbox(peak_track: Path, tmp_path: Path) -> None:
    result = analyze_peak(peak_track, "number", tmp_path / "out")

    (summary,) = json.loads(result.stdout)["tracks"]
    assert summary["extra"]["peak"] == pytest.approx(0.1, abs=1e-3)
    jam = jams.load(str(tmp_path / "out" / "tone" / "tone.jams"))
    assert jam.sandbox.mirloop["extra"]["peak"] == summary["extra"]["peak"]


@pytest.mark.parametrize(("kind", "problem"), [
    ("text", "broke the peak contract: returned a str"),
    ("opaque", "returned Opaque, which has no to_json() method"),
    ("bad-jams", "gave a JAMS annotation mirloop cannot write"),
])
def test_a_result_mirloop_cannot_use_fails_the_track_naming_stage_backend_and_plugin(
    peak_track: Path, tmp_path: Path, kind: str, problem: str
) -> None:
    result = analyze_peak(peak_track, kind, tmp_path / "out")

    assert result.exit_code == 1
    (failure,) = json.loads(result.stdout)["failed"]
    assert problem in failure["error"]
    assert "peak backend 'max'" in failure["error"] and "plugin 'peak'" in failure["error"]
    assert not (tmp_path / "out" / "tone").exists()


def stage_plugin(stage: str) -> str:
    """A plugin adding a stage called ``stage`` with one backend, ``one``."""
    return plugin_source(f'''
        from mirloop.stages import Stage


        class Meter:
            def measure(self, ctx): ...


        class One(Backend):
            name = "one"
            stage = "{stage}"

            def measure(self, ctx):
                return 1.0


        @hookimpl
        def register_stages(register):
            register(Stage("{stage}", Meter, default="one", analysis=True))


        @hookimpl
        def register_backends(register):
            register(One)
    ''')


def test_a_stage_name_two_plugins_add_is_refused_for_both(
    install_plugin: InstallPlugin, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    install_plugin("meter-a", stage_plugin("meter"))
    install_plugin("meter-b", stage_plugin("meter"))
    registry = use_installed_plugins_and_toys(monkeypatch)

    assert "meter" not in stage_names()
    (clash,) = registry.stage_clashes
    assert clash.plugins == ("meter-a", "meter-b")
    notes = registry.notes()
    assert any("stage 'meter' is added by plugins 'meter-a' and 'meter-b'" in note for note in notes)
    with pytest.raises(ConfigError, match=r"unknown stage 'meter'.*added by plugins 'meter-a' and 'meter-b'"):
        load_config({"meter": {"backend": "one"}})
    with pytest.raises(BackendClashError, match="refuses it for all of them"):
        registry.get("meter", "one")
    checked = run("config", "--check")
    assert checked.exit_code == 0 and "'meter-a' and 'meter-b'" in checked.output
    assert "meter" not in analyze(sine(tmp_path / "tone.wav", 12.0), config=TOY_CONFIG).extra


def test_a_plugin_cannot_add_a_stage_with_a_built_in_name(
    install_plugin: InstallPlugin, monkeypatch: pytest.MonkeyPatch
) -> None:
    install_plugin("impostor", stage_plugin("tempo"))
    registry = use_installed_plugins_and_toys(monkeypatch)

    (failure,) = [f for f in registry.failures if f.plugin == "impostor"]
    assert "stage 'tempo' already exists" in failure.error
    assert stage_record("tempo").method == "estimate_tempo"  # type: ignore[union-attr]
    assert registry.get("tempo", "librosa").dist == "mirloop"


@pytest.mark.parametrize(("registered", "error"), [
    ("'loudness'", "which is not a mirloop.stages.Stage record"),
    ('Stage("level", Meter, hook="register_descriptors")', "names the hook 'register_descriptors'"),
    ('Stage("two words", Meter)', "must be an identifier"),
])
def test_a_malformed_stage_fails_its_plugin_only(
    install_plugin: InstallPlugin, monkeypatch: pytest.MonkeyPatch, registered: str, error: str
) -> None:
    source = plugin_source(f'''
        from mirloop.stages import Stage


        class Meter:
            def measure(self, ctx): ...


        @hookimpl
        def register_stages(register):
            register({registered})
    ''')
    install_plugin("odd", source)
    registry = use_installed_plugins_and_toys(monkeypatch)

    (failure,) = [f for f in registry.failures if f.plugin == "odd"]
    assert failure.error.startswith("register_stages: PluginError") and error in failure.error
    assert registry.stages == ()
    assert registry.get("tempo", "toy")  # the other plugins still load
