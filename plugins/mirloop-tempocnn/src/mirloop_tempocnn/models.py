"""tempo-cnn's trained models: fetched once from the ``tempocnn`` wheel, checked, and refused when bad.

``mirloop-tempocnn setup`` downloads the ``tempocnn`` wheel (version :data:`TEMPOCNN_VERSION`,
``pip download --no-deps``: TensorFlow is never installed), checks every model file against the
SHA-256 the wheel's ``RECORD`` lists, and writes them with ``LICENSE`` into the models folder,
``models.json`` (the sidecar: tempocnn version, the wheel's name and SHA-256, each model's
SHA-256) last, so a folder without it is an unfinished setup.

:func:`load_model` trusts nothing: a missing folder, sidecar or file, a checksum mismatch, a
missing or non-finite weight is refused with one :class:`~mirloop.errors.ModelError` naming the
file and the fix.
"""

from __future__ import annotations

import base64
import csv
import functools
import hashlib
import io
import json
import os
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path

from mirloop.errors import ModelError
from mirloop.io.atomic import atomic_path

from mirloop_tempocnn.network import KerasGraph, load_graph

#: The tempocnn release whose models the plugin runs.
TEMPOCNN_VERSION = "0.0.8"
#: Environment variable naming the models folder.
MODELS_VARIABLE = "MIRLOOP_TEMPOCNN_MODELS"
#: The sidecar, written last by setup.
SIDECAR = "models.json"
SIDECAR_FORMAT = 1


def default_models_dir() -> Path:
    """``$MIRLOOP_TEMPOCNN_MODELS``, else ``~/.cache/mirloop/tempocnn-models`` (XDG cache honoured)."""
    configured = os.environ.get(MODELS_VARIABLE, "").strip()
    if configured:
        return Path(configured).expanduser()
    base = os.environ.get("XDG_CACHE_HOME", "").strip()
    return (Path(base).expanduser() if base else Path.home() / ".cache") / "mirloop" / "tempocnn-models"


def _record_digest(value: str) -> str:
    """A wheel RECORD hash (``sha256=<urlsafe base64>``) as hex."""
    algorithm, _, encoded = value.partition("=")
    if algorithm != "sha256":
        raise ModelError(f"the tempocnn wheel's RECORD uses {algorithm!r}, not sha256")
    return base64.urlsafe_b64decode(encoded + "=" * (-len(encoded) % 4)).hex()


def models_from_wheel(wheel: Path, target: Path) -> dict[str, str]:
    """Write the wheel's models and licence into ``target``, each checked against RECORD; name → SHA-256."""
    with zipfile.ZipFile(wheel) as z:
        record_name = next((n for n in z.namelist() if n.endswith(".dist-info/RECORD")), None)
        if record_name is None:
            raise ModelError(f"{wheel.name} has no RECORD; it is not a complete wheel")
        record = {
            row[0]: row[1] for row in csv.reader(io.StringIO(z.read(record_name).decode())) if len(row) > 1
        }
        digests = {}
        for member in sorted(
            n for n in z.namelist() if n.startswith("tempocnn/models/") and n.endswith(".h5")
        ):
            data = z.read(member)
            digest = hashlib.sha256(data).hexdigest()
            if member not in record or _record_digest(record[member]) != digest:
                raise ModelError(
                    f"{wheel.name}: {member} does not match the wheel's RECORD; download it again"
                )
            name = Path(member).stem
            with atomic_path(target / f"{name}.h5") as tmp:
                Path(tmp).write_bytes(data)
            digests[name] = digest
        licence = next((n for n in z.namelist() if n.endswith(".dist-info/LICENSE")), None)
        if licence is not None:
            with atomic_path(target / "LICENSE") as tmp:
                Path(tmp).write_bytes(z.read(licence))
    if not digests:
        raise ModelError(f"{wheel.name} ships no models under tempocnn/models/")
    return digests


def setup(models_dir: Path | None = None, *, force: bool = False, wheel: Path | None = None) -> Path:
    """Fetch the models into ``models_dir`` (default :func:`default_models_dir`); idempotent."""
    folder = models_dir or default_models_dir()
    if not force:
        try:
            check_folder(folder)
            return folder
        except ModelError:
            pass
    folder.mkdir(parents=True, exist_ok=True)
    (folder / SIDECAR).unlink(missing_ok=True)  # the folder is unfinished until the sidecar is back
    with tempfile.TemporaryDirectory(prefix="mirloop-tempocnn-") as tmp:
        if wheel is None:
            command = [
                sys.executable,
                "-m",
                "pip",
                "download",
                "--no-deps",
                "--quiet",
                "-d",
                tmp,
                f"tempocnn=={TEMPOCNN_VERSION}",
            ]
            done = subprocess.run(command, capture_output=True, text=True, check=False)
            found = sorted(Path(tmp).glob(f"tempocnn-{TEMPOCNN_VERSION}-*.whl"))
            if done.returncode != 0 or not found:
                raise ModelError(
                    f"pip download tempocnn=={TEMPOCNN_VERSION} failed: "
                    f"{(done.stderr or done.stdout).strip()[-300:]}; check access to PyPI"
                )
            wheel = found[0]
        digests = models_from_wheel(wheel, folder)
        sidecar = {
            "format": SIDECAR_FORMAT,
            "tempocnn": TEMPOCNN_VERSION,
            "wheel": wheel.name,
            "wheel_sha256": hashlib.sha256(wheel.read_bytes()).hexdigest(),
            "models": digests,
        }
    with atomic_path(folder / SIDECAR) as tmp:
        Path(tmp).write_text(json.dumps(sidecar, indent=1, sort_keys=True) + "\n")
    check_folder(folder)
    return folder


def check_folder(folder: Path) -> dict[str, object]:
    """The sidecar of a complete models folder; a :class:`ModelError` naming what is missing or wrong."""
    fix = "run mirloop-tempocnn setup"
    if not folder.is_dir():
        raise ModelError(f"no tempo-cnn models in {folder}; {fix}")
    sidecar_path = folder / SIDECAR
    if not sidecar_path.is_file():
        raise ModelError(f"{folder} holds an unfinished setup (no {SIDECAR}); {fix} --force")
    try:
        sidecar = json.loads(sidecar_path.read_text())
        models = dict(sidecar["models"])
    except (ValueError, KeyError, TypeError) as exc:
        raise ModelError(f"{sidecar_path} is damaged ({exc}); {fix} --force") from exc
    if sidecar.get("format") != SIDECAR_FORMAT or sidecar.get("tempocnn") != TEMPOCNN_VERSION:
        raise ModelError(
            f"{sidecar_path} is from another setup (tempocnn {sidecar.get('tempocnn')}); {fix} --force"
        )
    for name in models:
        if not (folder / f"{name}.h5").is_file():
            raise ModelError(f"{folder / (name + '.h5')} is missing; {fix} --force")
    return sidecar


@functools.cache
def _load(path: str, digest: str) -> KerasGraph:
    data = Path(path).read_bytes()
    if hashlib.sha256(data).hexdigest() != digest:
        raise ModelError(
            f"{path} does not match its checksum in {SIDECAR}; run mirloop-tempocnn setup --force"
        )
    return load_graph(Path(path))


def load_model(name: str, models_dir: Path | None = None) -> KerasGraph:
    """The checked graph of model ``name`` (``fcn``, ``cnn``, ``deeptemp_k8``…), cached per process."""
    folder = models_dir or default_models_dir()
    sidecar = check_folder(folder)
    models = dict(sidecar["models"])  # type: ignore[call-overload]
    if name not in models:
        raise ModelError(f"tempo-cnn has no model {name!r}; choose one of {', '.join(sorted(models))}")
    return _load(str(folder / f"{name}.h5"), str(models[name]))
