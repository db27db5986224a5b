"""``mirloop train DATA/ -o MODEL/``: train a hierarchical descriptor classifier on a feature table."""

from __future__ import annotations

from typing import Any

import click

from mirloop.cli.common import echo_json, json_option


def parse_hidden(text: str) -> list[int]:
    """``--hidden 64,32`` → ``[64, 32]``; anything but positive whole numbers is a usage error."""
    sizes: list[int] = []
    for item in filter(str.strip, text.split(",")):
        try:
            size = int(item.strip())
        except ValueError:
            size = 0
        if size < 1:
            raise click.BadParameter(
                f"{item.strip()!r} is not a layer size; give positive whole numbers, e.g. 100 or 64,32",
                param_hint="--hidden",
            )
        sizes.append(size)
    if not sizes:
        raise click.BadParameter("give at least one layer size, e.g. 100 or 64,32", param_hint="--hidden")
    return sizes


@click.command()
@click.argument("data", type=click.Path(exists=True))
@click.option(
    "-o", "--output", required=True, type=click.Path(file_okay=False), help="Model directory to write."
)
@click.option(
    "--classifier",
    "kind",
    type=click.Choice(["knn", "mlp"]),
    default="knn",
    show_default=True,
    help="Local classifier of every node of the hierarchy.",
)
@click.option(
    "--test-size",
    type=click.FloatRange(0.0, 0.9),
    default=0.3,
    show_default=True,
    help="Share of renders held out for the grouped evaluation (0 trains on everything).",
)
@click.option(
    "--leaky/--no-leaky",
    default=True,
    show_default=True,
    help="Also score the paper's window-level 70/30 split for comparison.",
)
@click.option(
    "--neighbors", type=click.IntRange(1), default=None, help="KNN: neighbours per vote (default 5)."
)
@click.option("--hidden", default=None, metavar="N[,N…]", help="MLP: hidden layer sizes (default 100).")
@click.option(
    "--early-stopping",
    type=click.Choice(["auto", "on", "off"]),
    default="auto",
    show_default=True,
    help="MLP: stop a network when a held-out 10 % of its rows stops improving (auto: networks "
    "on 10,000 rows or more).",
)
@click.option("--max-iter", type=click.IntRange(1), default=None, help="MLP: iteration cap (default 2000).")
@click.option(
    "--ensemble",
    type=click.IntRange(1),
    default=None,
    metavar="N",
    help="MLP: N networks per node, trained from seeds SEED…SEED+N-1, their probabilities averaged "
    "(default 1; training takes N times as long).",
)
@click.option(
    "--unknown-cost",
    type=click.FloatRange(0.0, 1.0),
    default=0.5,
    show_default=True,
    help="Cost of answering 'unknown' when choosing the open-set thresholds (an error costs ≤ 1).",
)
@click.option(
    "--decoding",
    type=click.Choice(["coherent", "independent"]),
    default="coherent",
    show_default=True,
    help="coherent: one distribution over descriptors from both branches, so a window's six labels "
    "always name one descriptor; independent: the paper's separate genre and sentiment branches.",
)
@click.option(
    "--affect-weight",
    type=click.FloatRange(0.0),
    default=None,
    help="coherent: weight of the sentiment branch (default: chosen on validation renders).",
)
@click.option("--seed", type=int, default=0, show_default=True)
@click.option(
    "--workers",
    type=click.IntRange(1),
    default=None,
    help="MLP: processes training networks (default: all cores on big tables).",
)
@json_option
def train(
    data: str,
    output: str,
    kind: str,
    test_size: float,
    leaky: bool,
    neighbors: int | None,
    hidden: str | None,
    early_stopping: str,
    max_iter: int | None,
    ensemble: int | None,
    unknown_cost: float,
    decoding: str,
    affect_weight: float | None,
    seed: int,
    workers: int | None,
    as_json: bool,
) -> None:
    """Train a hierarchical KNN or MLP on DATA (a dataset folder or its features.parquet)."""
    from mirloop.pipelines.training import train_from_dataset

    mlp_only = {"--hidden": hidden, "--max-iter": max_iter, "--ensemble": ensemble}
    given = [name for name, value in mlp_only.items() if value is not None]
    if kind != "mlp" and given:
        what = "is an MLP option" if len(given) == 1 else "are MLP options"
        raise click.UsageError(f"{', '.join(given)} {what}: add --classifier mlp, or leave it out")
    params: dict[str, Any] = {"decoding": decoding, "affect_weight": affect_weight}
    if neighbors is not None:
        params["n_neighbors"] = neighbors
    if hidden is not None:
        params["hidden_layer_sizes"] = parse_hidden(hidden)
    if max_iter is not None:
        params["max_iter"] = max_iter
    if ensemble is not None:
        params["ensemble"] = ensemble
    if kind == "mlp":
        params["seed"] = seed
        params["early_stopping"] = {"auto": "auto", "on": True, "off": False}[early_stopping]
    log = (lambda message: None) if as_json else (lambda message: click.echo(message, err=True))
    result = train_from_dataset(
        data,
        output,
        kind=kind,
        test_size=test_size,
        leaky_comparison=leaky,
        hyperparameters=params,
        unknown_cost=unknown_cost,
        seed=seed,
        workers=workers,
        log=log,
        progress=not as_json,
    )
    summary = result.summary()
    if as_json:
        echo_json(summary)
        return
    click.echo(
        f"model written to {result.directory} ({kind}); evaluation in {result.directory / 'evaluation'}"
    )
    if result.grouped is not None:
        click.echo(f"honest split: {result.grouped.split}")
        if result.leaky is not None:
            click.echo(f"paper split:  {result.leaky.split}")
        click.echo(
            f"{'target':<11} {'grouped acc':>11} {'macro-F1':>9} {'render acc':>10} {'unknown':>8} "
            f"{'cost':>6} {'leaky acc':>10}"
        )
        for target, row in summary["targets"].items():
            g = row.get("grouped", {})
            leaky_acc = row.get("leaky", {}).get("accuracy")
            click.echo(
                f"{target:<11} {g['accuracy']:>11.3f} {g['macro_f1']:>9.3f} {g['render_accuracy']:>10.3f} "
                f"{g['unknown_rate']:>8.3f} {g['cost']:>6.3f} "
                f"{'—' if leaky_acc is None else format(leaky_acc, '.3f'):>10}"
            )
    weight = result.model.affect_weight
    click.echo(
        "decoding: independent branches"
        if weight is None
        else f"decoding: coherent, sentiment-branch weight {weight:g}"
        + (" (chosen on validation renders)" if "affect_weight" in result.model.info.validation else "")
    )
    convergence = result.model.convergence()
    if convergence:
        stuck = [name for name, c in convergence.items() if not c["converged"]]
        most = max(max(c["n_iter"]) for c in convergence.values())
        cap = next(iter(convergence.values()))["max_iter"]
        if stuck:
            click.echo(
                f"warning: {len(stuck)} MLP node(s) hit max_iter={cap} without converging: "
                f"{', '.join(stuck)}; "
                "raise --max-iter",
                err=True,
            )
        else:
            click.echo(
                f"MLP: all {sum(len(c['n_iter']) for c in convergence.values())} networks converged "
                f"(most iterations {most} < max_iter {cap})"
            )
