"""Exported musicnn weights: where they live, their sidecar, and refusing bad ones.

``mirloop-musicnn setup`` writes, per model, ``<model>.npz`` (every variable of the TensorFlow
graph, by its variable name) and ``<model>.json`` (the sidecar: model, musicnn and TensorFlow
versions, tag list, array names and shapes, the SHA-256 of the ``.npz``, and TensorFlow's own
outputs on a fixed reference input kept in ``reference.npz``). The sidecar is written last, so
a folder without it is an unfinished export.

:func:`load_model` trusts nothing: a missing file, a checksum mismatch, a missing, extra or
misshapen array or a non-finite value is refused with :class:`~mirloop.errors.ModelError`
naming the file and the fix, instead of tagging with broken weights.
"""

from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path
from typing import Any

import numpy as np
from attrs import frozen
from mirloop.errors import ModelError

from mirloop_musicnn.architectures import architecture_of
from mirloop_musicnn.environment import cache_root
from mirloop_musicnn.melspec import Patches
from mirloop_musicnn.network import CHUNK, NetworkOutput
from mirloop_musicnn.tags import MODEL_TAGS

#: The models exported by ``setup`` and used by the backends.
MODELS: tuple[str, ...] = ("MTT_musicnn", "MSD_musicnn", "MTT_vgg", "MSD_vgg")
#: Environment variable naming the weights folder.
WEIGHTS_VARIABLE = "MIRLOOP_MUSICNN_WEIGHTS"
#: Version of the sidecar format.
SIDECAR_FORMAT = 1
#: The shared reference input (log-mel patches) the sidecars' reference outputs were computed on.
REFERENCE_FILE = "reference.npz"


def default_weights_dir() -> Path:
    """``$MIRLOOP_MUSICNN_WEIGHTS``, else ``<cache>/musicnn-weights`` (``~/.cache/mirloop/…``)."""
    configured = os.environ.get(WEIGHTS_VARIABLE, "").strip()
    return Path(configured).expanduser() if configured else cache_root() / "musicnn-weights"


def weights_dir(given: str | os.PathLike[str] | None = None) -> Path:
    """``given`` when set, else :func:`default_weights_dir`."""
    return Path(given).expanduser() if given else default_weights_dir()


@frozen(eq=False)
class MusicnnModel:
    """One exported model: its tags, its arrays (float32) and its sidecar."""

    name: str
    tags: tuple[str, ...]
    arrays: dict[str, np.ndarray]
    sidecar: dict[str, Any]
    path: Path

    def __call__(self, patches: np.ndarray) -> NetworkOutput:
        """Tag probabilities and penultimate embeddings of log-mel ``patches`` ``(n, 187, 96)``."""
        return architecture_of(self.name).forward(self.arrays, patches)

    def of_patches(self, patches: Patches) -> NetworkOutput:
        """As calling the model on ``patches.values``, a few patches at a time (:meth:`Patches.blocks`)."""
        return architecture_of(self.name).forward_blocks(self.arrays, patches.blocks(CHUNK))


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def fix_hint(folder: Path) -> str:
    where = "" if folder == default_weights_dir() else f" --weights {folder}"
    return f"run `mirloop-musicnn setup{where}` (add --force to export again)"


_LOADED: dict[tuple[str, int, int, int], MusicnnModel] = {}


def load_model(name: str, folder: str | os.PathLike[str] | None = None) -> MusicnnModel:
    """The exported model ``name`` from ``folder`` (default :func:`default_weights_dir`), checked.

    Loaded once per process while the files are unchanged.
    """
    if name not in MODELS:
        raise ModelError(f"unknown musicnn model {name!r}; the exported models are {', '.join(MODELS)}")
    root = weights_dir(folder)
    npz, sidecar_path = root / f"{name}.npz", root / f"{name}.json"
    fix = fix_hint(root)
    if not root.is_dir():
        raise ModelError(f"the musicnn weights folder {root} does not exist; {fix}")
    for path in (npz, sidecar_path):
        if not path.is_file():
            raise ModelError(f"musicnn weights file {path} is missing (an unfinished or partial export); "
                             f"{fix}")
    stat_npz, stat_json = npz.stat(), sidecar_path.stat()
    key = (str(npz.resolve()), stat_npz.st_mtime_ns, stat_npz.st_size, stat_json.st_mtime_ns)
    if key not in _LOADED:
        _LOADED[key] = _load_checked(name, npz, sidecar_path, fix)
    return _LOADED[key]


def read_sidecar(path: Path, fix: str) -> dict[str, Any]:
    try:
        sidecar = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise ModelError(f"musicnn sidecar {path} is unreadable ({exc}); {fix}") from exc
    required = ("format", "model", "tags", "sha256", "arrays", "reference")
    if not isinstance(sidecar, dict) or any(k not in sidecar for k in required):
        raise ModelError(f"musicnn sidecar {path} lacks one of the fields {', '.join(required)}; {fix}")
    if sidecar["format"] != SIDECAR_FORMAT:
        raise ModelError(f"musicnn sidecar {path} has format {sidecar['format']!r}, this plugin reads "
                         f"{SIDECAR_FORMAT}; {fix}")
    return sidecar


def _load_checked(name: str, npz: Path, sidecar_path: Path, fix: str) -> MusicnnModel:
    sidecar = read_sidecar(sidecar_path, fix)
    if sidecar["model"] != name:
        raise ModelError(f"musicnn sidecar {sidecar_path} describes model {sidecar['model']!r}, "
                         f"not {name!r}; {fix}")
    digest = sha256_of(npz)
    if digest != sidecar["sha256"]:
        raise ModelError(
            f"musicnn weights file {npz} does not match its sidecar (SHA-256 {digest[:12]}…, expected "
            f"{str(sidecar['sha256'])[:12]}…): the file is damaged or from another export; {fix}"
        )
    tags = tuple(str(t) for t in sidecar["tags"])
    if tags != MODEL_TAGS[name]:
        raise ModelError(f"musicnn sidecar {sidecar_path} lists other tags than the {name} model's "
                         f"{len(MODEL_TAGS[name])} ({list(tags[:3])}…); {fix}")
    expected = architecture_of(name).expected_shapes(len(tags))
    try:
        with np.load(npz, allow_pickle=False) as data:
            arrays = {key: np.asarray(data[key]) for key in data.files}
    except (OSError, ValueError) as exc:
        raise ModelError(f"musicnn weights file {npz} is unreadable ({exc}); {fix}") from exc
    missing = sorted(set(expected) - set(arrays))
    extra = sorted(set(arrays) - set(expected))
    if missing or extra:
        problems = [f"{what} {', '.join(names[:4])}{' …' if len(names) > 4 else ''}"
                    for what, names in (("missing", missing), ("unexpected", extra)) if names]
        raise ModelError(f"musicnn weights file {npz} does not hold the {name} arrays "
                         f"({'; '.join(problems)}); {fix}")
    for key, shape in expected.items():
        if arrays[key].shape != shape:
            raise ModelError(f"musicnn weights file {npz}: array {key} has shape {arrays[key].shape}, "
                             f"the network needs {shape}; {fix}")
        if not np.isfinite(arrays[key]).all():
            raise ModelError(f"musicnn weights file {npz}: array {key} holds NaN or infinite values; {fix}")
        arrays[key] = arrays[key].astype(np.float32)
    return MusicnnModel(name=name, tags=tags, arrays=arrays, sidecar=sidecar, path=npz)


def load_reference(folder: str | os.PathLike[str] | None, sidecar: dict[str, Any]) -> np.ndarray:
    """The reference input patches a sidecar's reference outputs belong to (checksum checked)."""
    root = weights_dir(folder)
    path = root / REFERENCE_FILE
    fix = fix_hint(root)
    if not path.is_file():
        raise ModelError(f"the musicnn reference input {path} is missing; {fix}")
    if sha256_of(path) != sidecar["reference"]["input_sha256"]:
        raise ModelError(f"the musicnn reference input {path} does not match the sidecar's checksum; {fix}")
    with np.load(path, allow_pickle=False) as data:
        return np.asarray(data["patches"], dtype=np.float32)


def write_atomically(path: Path, write: Any) -> None:
    """Call ``write(temporary_path)`` and move the result to ``path`` in one step."""
    temporary = path.with_name(f".{path.name}.partial")
    try:
        write(temporary)
        os.replace(temporary, path)
    finally:
        temporary.unlink(missing_ok=True)
