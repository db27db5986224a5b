"""Refuse spleeter model folders that would load without weights.

Spleeter downloads a model when its folder is missing and otherwise trusts the folder:
an empty or half-copied one gives a network with random weights and garbage stems, without
an error. :func:`check_model_dir` checks the TensorFlow checkpoint files first.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

from mirloop.errors import ModelError

#: Where the pretrained models are published.
RELEASES = "https://github.com/deezer/spleeter/releases/download/v1.4.0/{name}.tar.gz"

_PATH_LINE = re.compile(r'^model_checkpoint_path:\s*"(?P<path>[^"]+)"', re.MULTILINE)
_SHARD = re.compile(r"\.data-(?P<index>\d+)-of-(?P<count>\d+)$")


def check_model_dir(model_dir: str | os.PathLike[str], name: str = "2stems") -> Path:
    """The checkpoint prefix inside ``model_dir``, or :class:`ModelError` saying what is missing.

    Required: a non-empty ``checkpoint`` file naming the latest checkpoint, its ``.index`` and
    every ``.data-XXXXX-of-NNNNN`` shard, none of them empty.
    """
    folder = Path(model_dir).expanduser()
    fix = (f"download {RELEASES.format(name=name)} and unpack it into {folder} (or point the "
           "separator option model_path, or MODEL_PATH, at a folder that holds it)")
    if not folder.is_dir():
        raise ModelError(f"spleeter model folder {folder} does not exist; {fix}")
    checkpoint = folder / "checkpoint"
    if not checkpoint.is_file() or checkpoint.stat().st_size == 0:
        raise ModelError(
            f"spleeter model folder {folder} has no 'checkpoint' file (or it is empty), so spleeter would "
            f"separate with random weights; {fix}"
        )
    match = _PATH_LINE.search(checkpoint.read_text(errors="replace"))
    if match is None:
        raise ModelError(f"{checkpoint} names no model_checkpoint_path; the model is damaged: {fix}")
    prefix = Path(match["path"])
    prefix = prefix if prefix.is_absolute() else folder / prefix
    if not prefix.parent.is_dir():  # a checkpoint written elsewhere and copied: look next to it
        prefix = folder / prefix.name
    index = prefix.with_name(prefix.name + ".index")
    shards = sorted(prefix.parent.glob(prefix.name + ".data-*"))
    problems = []
    if not index.is_file():
        problems.append(f"{index.name} is missing")
    elif index.stat().st_size == 0:
        problems.append(f"{index.name} is empty")
    if not shards:
        problems.append(f"no {prefix.name}.data-* weight file")
    else:
        numbered = _SHARD.search(shards[0].name)
        expected = int(numbered["count"]) if numbered else len(shards)
        if len(shards) != expected:
            problems.append(f"{len(shards)} of {expected} {prefix.name}.data-* shards present")
        problems += [f"{s.name} is empty" for s in shards if s.stat().st_size == 0]
    if problems:
        raise ModelError(
            f"spleeter checkpoint {prefix} in {folder} is incomplete ({'; '.join(problems)}), so spleeter "
            f"would separate with random weights; {fix}"
        )
    return prefix
