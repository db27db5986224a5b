"""``mirloop evaluate-backends DATASET``: every installed backend of a stage, side by side."""

from __future__ import annotations

from pathlib import Path

import click

from mirloop.cli.common import BatchFailed, json_option


@click.command("evaluate-backends")
@click.argument("dataset", type=click.Path(file_okay=False, path_type=Path))
@click.option("--stage", type=click.Choice(["tempo", "key", "segmenter"]), multiple=True,
              help="Stage to compare (repeatable; default: tempo, key and segmenter).")
@click.option("--backend", "backends", multiple=True, metavar="NAME",
              help="Only these backends (repeatable; default: every installed one).")
@click.option("--set", "set_", multiple=True, metavar="BACKEND.OPTION=VALUE",
              help="An option of one compared backend, e.g. essentia.profile=edma (repeatable).")
@click.option("-o", "--output", type=click.Path(file_okay=False, path_type=Path), default=None,
              help="Folder for <stage>.md, <stage>.csv and <stage>.json (default: DATASET/comparison).")
@click.option("--build-synthetic", is_flag=True,
              help="First write mirloop's synthetic annotated dataset into DATASET (kept files are reused).")
@click.option("--no-renders", is_flag=True,
              help="With --build-synthetic: generated signals only, no renders.")
@json_option
def evaluate_backends(
    dataset: Path, stage: tuple[str, ...], backends: tuple[str, ...], set_: tuple[str, ...],
    output: Path | None,
    build_synthetic: bool, no_renders: bool, as_json: bool,
) -> None:
    """Run every installed tempo, key or segmenter backend on DATASET and compare them.

    DATASET is a folder of audio files, each with a JAMS or CSV annotation of the same stem.
    Scores: tempo Acc1/Acc2 (4 %), MIREX weighted key score, boundary hit-rate F at 0.5 s and
    3 s, and seconds of computing per minute of audio. A backend that fails on a file is
    reported and scored 0; the batch goes on, and the exit status is then 1.
    """
    import json

    from mirloop.evaluation import compare_backends
    from mirloop.evaluation.report import save, to_markdown

    def say(message: str) -> None:
        click.echo(message, err=True)

    if build_synthetic:
        from mirloop.evaluation.synthetic import build_synthetic_dataset

        files = build_synthetic_dataset(dataset, renders=not no_renders,
                                        progress=lambda name: say(f"writing {name}"))
        say(f"{len(files)} annotated files in {dataset}")
    stages = stage or ("tempo", "key", "segmenter")
    options = backend_options(set_, stages)
    out = output if output is not None else dataset / "comparison"
    comparisons = []
    for name in stages:
        comparison = compare_backends(dataset, name, backends=backends or None, progress=say,
                                      options=options.get(name))
        for path in save(comparison, out):
            say(f"wrote {path}")
        comparisons.append(comparison)
    if as_json:
        click.echo(json.dumps([c.to_dict() for c in comparisons], indent=2, default=float))
    else:
        for comparison in comparisons:
            click.echo(to_markdown(comparison, per_file=False))
    failed = [r for c in comparisons for r in c.results if not r.ok]
    if failed:
        runs = sum(len(c.results) for c in comparisons)
        raise BatchFailed(f"{len(failed)} of {runs} backend run(s) on a file failed (listed in the report)")


def backend_options(
    settings: tuple[str, ...], stages: tuple[str, ...]
) -> dict[str, dict[str, dict[str, str]]]:
    """``--set`` values as stage → backend → options: ``essentia.profile=edma`` goes to every compared
    stage whose ``essentia`` backend has a ``profile`` option (the backend converts the value)."""
    from mirloop.plugins import registry

    reg = registry()
    options: dict[str, dict[str, dict[str, str]]] = {}
    for item in settings:
        target, sep, value = item.partition("=")
        backend, dot, option = target.strip().partition(".")
        if not (sep and dot and backend and option):
            raise click.BadParameter(
                f"{item!r}: write BACKEND.OPTION=VALUE, e.g. essentia.profile=edma", param_hint="--set"
            )
        takers = [s for s in stages if backend in reg.names(s) and option in reg.get(s, backend).option_table]
        if not takers:
            raise click.BadParameter(f"{item!r}: no compared stage ({', '.join(stages)}) has a backend "
                                     f"{backend!r} with an option {option!r}; `mirloop plugins` lists them",
                                     param_hint="--set")
        for name in takers:
            options.setdefault(name, {}).setdefault(backend, {})[option] = value.strip()
    return options
