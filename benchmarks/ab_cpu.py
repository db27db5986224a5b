"""CPU time of the default analysis in two source trees, interleaved file by file (a fair A/B).

    git archive BASE src | tar -x -C /tmp/base          # the "before" tree
    .venv/bin/python benchmarks/ab_cpu.py /tmp/base/src src FILE... [--rounds 2]

Each tree runs in its own single-threaded Python process (``PYTHONPATH`` = the tree's ``src``),
warmed up on the first file; then every file is analysed by ``mirloop.analyze`` in A and in B
in turn (the order alternating each round), so both see the same machine load. The measure is
``time.process_time`` of the analysing process (decode included), not wall time: on a shared
machine wall time says more about the neighbours than about the code.
"""

from __future__ import annotations

# tracks pins the numerical libraries to one thread, so it comes before anything imports numpy
from tracks import THREAD_VARIABLES

# isort: split
import argparse
import json
import os
import subprocess
import sys
from pathlib import Path

_WORKER = """
import json, sys, time, warnings
warnings.simplefilter("ignore")
import mirloop
for line in sys.stdin:
    started = time.process_time()
    analysis = mirloop.analyze(line.strip())
    print(json.dumps({"cpu": time.process_time() - started, "duration": analysis.duration}), flush=True)
"""


class Tree:
    """A persistent analysing process for one source tree."""

    def __init__(self, src: Path) -> None:
        env = {**os.environ, "PYTHONPATH": str(src.resolve()), **{v: "1" for v in THREAD_VARIABLES}}
        self.process = subprocess.Popen([sys.executable, "-c", _WORKER], stdin=subprocess.PIPE,
                                        stdout=subprocess.PIPE, text=True, env=env)
        self.cpu = 0.0
        self.minutes = 0.0

    def analyse(self, path: Path, *, count: bool = True) -> None:
        assert self.process.stdin is not None and self.process.stdout is not None
        self.process.stdin.write(f"{path}\n")
        self.process.stdin.flush()
        line = self.process.stdout.readline()
        if not line:
            raise SystemExit(f"the analysing process stopped on {path}")
        result = json.loads(line)
        if count:
            self.cpu += result["cpu"]
            self.minutes += result["duration"] / 60.0

    def close(self) -> None:
        assert self.process.stdin is not None
        self.process.stdin.close()
        self.process.wait()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("a", type=Path, help="source folder of tree A (holds mirloop/)")
    parser.add_argument("b", type=Path, help="source folder of tree B")
    parser.add_argument("files", type=Path, nargs="+", help="audio files to analyse")
    parser.add_argument("--rounds", type=int, default=2, help="passes over the files (order alternates)")
    args = parser.parse_args(argv)
    for src in (args.a, args.b):
        if not (src / "mirloop" / "__init__.py").is_file():
            parser.error(f"{src} holds no mirloop package; give a tree's src/ folder")
    trees = {"A": Tree(args.a), "B": Tree(args.b)}
    for tree in trees.values():
        tree.analyse(args.files[0], count=False)
    for index in range(args.rounds):
        for path in args.files:
            order = ("A", "B") if index % 2 == 0 else ("B", "A")
            for name in order:
                trees[name].analyse(path)
    for tree in trees.values():
        tree.close()
    a, b = (trees[name].cpu / trees[name].minutes for name in ("A", "B"))
    print(f"A {args.a}: {a:.3f} CPU s per minute of audio")
    print(f"B {args.b}: {b:.3f} CPU s per minute of audio")
    print(f"B / A = {b / a:.3f} over {trees['A'].minutes:.1f} min of audio each, {args.rounds} rounds")
    return 0


if __name__ == "__main__":
    sys.exit(main())
