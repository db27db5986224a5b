"""``import mirloop`` is fast: heavy libraries load only when a backend runs."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys

HEAVY = (
    "librosa", "numba", "sklearn", "scipy", "matplotlib", "pandas", "pyarrow", "jams", "soundfile", "torch",
)
#: Generous: the measured cost is about a tenth of this on a laptop core.
MAX_IMPORT_SECONDS = 0.5


def run_python(code: str, **environ: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-X", "importtime", "-c", code], capture_output=True, text=True,
                          check=True, env={**os.environ, **environ})


def loaded_heavy_modules(code: str, **environ: str) -> list[str]:
    """Top-level heavy packages in ``sys.modules`` after running ``code`` in a fresh interpreter."""
    report = "\nimport json, sys; print(json.dumps(sorted(sys.modules)))"
    listing = run_python(code + report, **environ).stdout
    modules = json.loads(listing.splitlines()[-1])
    return sorted({m.split(".")[0] for m in modules} & set(HEAVY))


def cumulative_import_seconds(stderr: str, module: str) -> float:
    """The cumulative time of ``module`` in ``-X importtime`` output (microseconds there)."""
    for line in stderr.splitlines():
        match = re.match(r"import time:\s+\d+ \|\s+(\d+) \|\s+(\S+)$", line.rstrip())
        if match and match.group(2) == module:
            return int(match.group(1)) / 1e6
    raise AssertionError(f"{module} not found in -X importtime output")


def test_import_mirloop_loads_no_heavy_library() -> None:
    assert loaded_heavy_modules("import mirloop") == []


def test_import_mirloop_is_fast() -> None:
    seconds = cumulative_import_seconds(run_python("import mirloop").stderr, "mirloop")
    assert seconds < MAX_IMPORT_SECONDS, f"import mirloop took {seconds:.3f} s"


def test_listing_the_plugins_imports_no_heavy_library() -> None:
    code = "import mirloop.plugins as p\nr = p.registry()\nassert r.plugins, r"
    # mirloop's own plugins and the example plugin; other installed plugins answer for themselves
    assert loaded_heavy_modules(code, MIRLOOP_PLUGINS="example") == []


def test_the_command_line_help_imports_no_heavy_library() -> None:
    code = "from mirloop.cli.main import main\ntry:\n    main(['--help'])\nexcept SystemExit:\n    pass"
    assert loaded_heavy_modules(code) == []


def test_registering_the_renderer_backend_loads_no_renderer_module() -> None:
    code = (
        "import sys, mirloop.plugins as p\nr = p.registry()\nassert r.get('renderer', 'mirloop')\n"
        "print(sorted(m for m in sys.modules if m.startswith('mirloop.renderer')))"
    )
    loaded = run_python(code, MIRLOOP_PLUGINS="example").stdout.splitlines()[-1]
    # the backend and its option table (the one source of the renderer's option defaults)
    expected = ["mirloop.renderer", "mirloop.renderer.backend", "mirloop.renderer.option_table"]
    assert loaded == str(expected), loaded
