"""``mirloop-tempocnn setup`` / ``check``: fetch tempo-cnn's models once, and verify them."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from mirloop.errors import MirloopError

from mirloop_tempocnn.models import check_folder, default_models_dir, load_model, setup


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="mirloop-tempocnn", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)
    for name, text in (
        ("setup", "download the tempocnn wheel's models (no TensorFlow) and check them"),
        ("check", "verify the models folder and load every model"),
    ):
        command = sub.add_parser(name, help=text)
        command.add_argument(
            "--models", type=Path, default=None, help=f"models folder (default {default_models_dir()})"
        )
        if name == "setup":
            command.add_argument("--force", action="store_true", help="fetch again even when complete")
            command.add_argument(
                "--wheel", type=Path, default=None, help="a downloaded tempocnn wheel to use"
            )
    args = parser.parse_args(argv)
    try:
        if args.command == "setup":
            folder = setup(args.models, force=args.force, wheel=args.wheel)
            print(f"tempo-cnn models ready in {folder}")
            return 0
        folder = args.models or default_models_dir()
        sidecar = check_folder(folder)
        for name in sorted(sidecar["models"]):  # type: ignore[call-overload]
            graph = load_model(name, folder)
            print(f"{name}: {len(graph.layers)} layers, checksum and weights ok")
        print(f"tempocnn {sidecar['tempocnn']} from {sidecar['wheel']} ({folder})")
        return 0
    except MirloopError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
