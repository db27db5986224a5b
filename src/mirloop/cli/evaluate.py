"""``mirloop evaluate MODEL/ DATA/``: score a trained model on a dataset."""

from __future__ import annotations

from pathlib import Path

import click

from mirloop.cli.common import echo_json, json_option


@click.command()
@click.argument("model", type=click.Path(exists=True, file_okay=False))
@click.argument("data", type=click.Path(exists=True))
@click.option(
    "--figures",
    type=click.Path(file_okay=False),
    default=None,
    help="Write a confusion-matrix PNG per target into this folder.",
)
@click.option(
    "--descriptor-scores",
    type=click.Path(dir_okay=False),
    default=None,
    help="Write the render accuracy per target and descriptor to this JSON file (saved as "
    "MODEL/evaluation/descriptors.json, the loop report compares its renders with it).",
)
@json_option
def evaluate(
    model: str, data: str, figures: str | None, descriptor_scores: str | None, as_json: bool
) -> None:
    """Score MODEL on DATA: accuracy, macro-F1, render accuracy, unknown rate and cost per target.

    On the table the model was trained from, only the renders held out at training are scored.
    """
    from mirloop.pipelines.training import evaluate_saved_model

    evaluation = evaluate_saved_model(model, data)
    written = evaluation.save_confusion_figures(Path(figures)) if figures else []
    if descriptor_scores:
        written.append(evaluation.save_descriptor_scores(descriptor_scores))
    if as_json:
        echo_json(evaluation.to_dict())
        return
    click.echo(f"{evaluation.n_windows} windows of {evaluation.n_groups} renders; {evaluation.split}")
    click.echo(
        f"{'target':<11} {'accuracy':>9} {'macro-F1':>9} {'render acc':>10} {'unknown':>8} "
        f"{'answered acc':>12} {'cost':>6}"
    )
    for target, s in evaluation.targets.items():
        click.echo(
            f"{target:<11} {s.accuracy:>9.3f} {s.macro_f1:>9.3f} {s.render_accuracy:>10.3f} "
            f"{s.unknown_rate:>8.3f} {s.answered_accuracy:>12.3f} {s.cost:>6.3f}"
        )
    genres = evaluation.targets["genre"].per_genre
    click.echo("per-genre accuracy (genre / subgenre / mood):")
    for genre in genres:
        parts = [
            evaluation.targets[t].per_genre.get(genre, float("nan")) for t in ("genre", "subgenre", "mood")
        ]
        click.echo(f"  {genre:<14} " + " / ".join(f"{p:.3f}" for p in parts))
    for path in written:
        click.echo(f"wrote {path}")
