"""Debian packages for the development set: fetched once into a cache, unpacked, licenses read.

``apt-get download NAME=VERSION`` fetches a package without installing it, ``dpkg-deb -x``
unpacks it. Both land in the cache under a temporary name first and are renamed when complete, so
an interrupted build never leaves a half-written package behind and a rerun reuses what is there.
"""

from __future__ import annotations

import fnmatch
import shutil
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path

from mirloop.errors import MirloopError


class PackageError(MirloopError):
    """A Debian package could not be fetched or unpacked."""


def deb_filename_glob(name: str, version: str) -> str:
    """The file-name pattern ``apt-get download`` uses (an epoch's ``:`` becomes ``%3a``)."""
    return f"{name}_{version.replace(':', '%3a')}_*.deb"


def cached_deb(cache: Path, name: str, version: str) -> Path | None:
    """The cached ``.deb`` of ``name`` at ``version``, if it was downloaded before."""
    found = sorted((cache / "debs").glob(deb_filename_glob(name, version)))
    return found[0] if found else None


def fetch_deb(cache: Path, name: str, version: str) -> Path:
    """The ``.deb`` of ``name`` at ``version``: from the cache, else downloaded into it."""
    found = cached_deb(cache, name, version)
    if found is not None:
        return found
    debs = cache / "debs"
    debs.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=debs, prefix=".download-") as tmp:
        result = subprocess.run(
            ["apt-get", "download", f"{name}={version}"], cwd=tmp, capture_output=True, text=True, check=False
        )
        got = sorted(Path(tmp).glob(deb_filename_glob(name, version)))
        if result.returncode != 0 or not got:
            message = (result.stderr or result.stdout).strip().splitlines()
            raise PackageError(
                f"apt-get download {name}={version} failed: {message[-1] if message else 'no .deb written'}; "
                "run 'apt-get update', or pin the version apt-cache policy shows in sources.toml"
            )
        target = debs / got[0].name
        got[0].replace(target)
    return target


def unpack_deb(cache: Path, deb: Path, name: str, version: str) -> Path:
    """The unpacked tree of ``deb`` (``dpkg-deb -x``), reused when already in the cache."""
    target = cache / "unpacked" / f"{name}_{version.replace(':', '%3a')}"
    if target.is_dir():
        return target
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(dir=target.parent, prefix=f".{name}-"))
    try:
        result = subprocess.run(
            ["dpkg-deb", "-x", str(deb), str(tmp)], capture_output=True, text=True, check=False
        )
        if result.returncode != 0:
            raise PackageError(
                f"dpkg-deb -x {deb} failed: {result.stderr.strip()}; delete the file to download it again"
            )
        tmp.replace(target)
    finally:
        if tmp.exists():
            shutil.rmtree(tmp)
    return target


def copyright_file(tree: Path, name: str) -> Path:
    """The package's Debian copyright file inside its unpacked ``tree``."""
    path = tree / "usr" / "share" / "doc" / name / "copyright"
    if not path.is_file():
        raise PackageError(
            f"{name}: no usr/share/doc/{name}/copyright in the package; the set needs its license"
        )
    return path


@dataclass(frozen=True)
class Stanza:
    """A ``Files:`` paragraph of a machine-readable copyright file."""

    patterns: tuple[str, ...]
    license: str


def parse_copyright(text: str) -> tuple[Stanza, ...]:
    """The ``Files:`` stanzas of a DEP-5 copyright file (empty when the file is free-form)."""
    stanzas = []
    for paragraph in text.replace("\r\n", "\n").split("\n\n"):
        fields: dict[str, str] = {}
        key = ""
        for line in paragraph.split("\n"):
            if line[:1] in (" ", "\t") and key:
                fields[key] += "\n" + line.strip()
            elif ":" in line and not line.startswith("#"):
                key, _, value = line.partition(":")
                key = key.strip().lower()
                fields[key] = value.strip()
        if "files" in fields and "license" in fields:
            patterns = tuple(fields["files"].split())
            license_name = fields["license"].split("\n", 1)[0].strip()
            if patterns and license_name:
                stanzas.append(Stanza(patterns, license_name))
    return tuple(stanzas)


def license_for(stanzas: tuple[Stanza, ...], path: str) -> str:
    """The license of ``path`` (a path in the upstream tree): the last matching stanza wins (DEP-5)."""
    found = ""
    for stanza in stanzas:
        if any(fnmatch.fnmatchcase(path, pattern) for pattern in stanza.patterns):
            found = stanza.license
    return found
