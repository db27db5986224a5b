"""``mirloop descriptors``: list, show and browse the descriptor catalog."""

from __future__ import annotations

import difflib
from typing import Any

import attrs
import click

from mirloop.cli.common import echo_json, json_option
from mirloop.errors import DescriptorError
from mirloop.types import Descriptor


def _catalog() -> Any:
    from mirloop.catalog import load_catalog

    return load_catalog()


def _check(kind: str, value: str | None, known: list[str]) -> None:
    if value is None or value in known:
        return
    close = difflib.get_close_matches(value, known, n=1, cutoff=0.5)
    hint = f"; did you mean {close[0]!r}?" if close else f"; known: {', '.join(known)}"
    raise DescriptorError(f"unknown {kind} {value!r}{hint}")


def descriptor_dict(d: Descriptor) -> dict[str, Any]:
    """A descriptor as JSON-ready data (every constraint of its style included)."""
    return attrs.asdict(d)


@click.group(invoke_without_command=True)
@click.option("--genre", help="Only this genre, e.g. rock.")
@click.option("--subgenre", help="Only this subgenre, e.g. indie.")
@click.option("--mood", help="Only this mood, e.g. driving.")
@click.option("--sentiment", type=click.Choice(["negative", "neutral", "positive"]),
              help="Only this sentiment.")
@json_option
@click.pass_context
def descriptors(ctx: click.Context, genre: str | None, subgenre: str | None, mood: str | None,
                sentiment: str | None, as_json: bool) -> None:
    """List descriptors (genre_subgenre_mood) as a table; filters combine.

    Subcommands: `show NAME` prints one descriptor with all its constraints; `tree` prints the
    genre → subgenre → mood tree.
    """
    if ctx.invoked_subcommand is not None:
        return
    catalog = _catalog()
    _check("genre", genre, catalog.genres())
    _check("subgenre", subgenre, catalog.subgenres(genre))
    _check("mood", mood, catalog.mood_names())
    found = catalog.filter(genre=genre, subgenre=subgenre, mood=mood, sentiment=sentiment)
    if as_json:
        echo_json([descriptor_dict(d) for d in found])
        return
    if not found:
        click.echo("no descriptor matches these filters")
        return
    width = max(len(d.name) for d in found)
    click.echo(f"{'name':<{width}}  {'id':>10}  {'sentiment':<9}  val  mom  {'tempo BPM':<11}  scale")
    for d in found:
        lo, hi = d.style.tempo_range
        click.echo(f"{d.name:<{width}}  {d.id:>10}  {d.sentiment:<9}  {d.valence:>3}  {d.momentum:>3}  "
                   f"{f'{lo:g}-{hi:g}':<11}  {d.style.scales[0]}")
    click.echo(f"{len(found)} of {len(catalog)} descriptors (catalog {catalog.version})")


@descriptors.command("show")
@click.argument("name")
@json_option
def show(name: str, as_json: bool) -> None:
    """Print descriptor NAME (or id) with every musical constraint."""
    d = _catalog().get(name)
    if as_json:
        echo_json(descriptor_dict(d))
        return
    s = d.style
    lines = [
        f"{d.name}  (id {d.id})",
        f"  genre / subgenre / mood: {d.genre} / {d.subgenre} / {d.mood}",
        f"  sentiment {d.sentiment}, valence {d.valence}/2, momentum {d.momentum}/4",
        f"  tempo: {s.tempo_range[0]:g}-{s.tempo_range[1]:g} BPM, meter {s.meter[0]}/{s.meter[1]}, "
        f"feel {s.feel}",
        f"  scales: {', '.join(s.scales)}",
        f"  progressions: {' | '.join(' '.join(p) for p in s.progressions)}",
        f"  harmonic rhythm: {s.harmonic_rhythm:g} bars per chord, dissonance {s.dissonance:g}",
        f"  register: MIDI {s.register[0]}-{s.register[1]}",
        f"  density {s.density:g}, dynamics {s.dynamics:g}, articulation {s.articulation}",
        f"  shape: intro {s.intro:g}, ending {s.ending:g}, climax at {s.climax:g} of the region",
        "  rhythms:",
        *[f"    {r}" for r in s.rhythms],
        "  bands:",
    ]
    for band in s.bands:
        members = ", ".join(
            f"{i.name} ({'drum kit ' if i.drums else 'GM '}{i.program}, {i.role})" for i in band.instruments
        )
        lines.append(f"    {band.name}: {members}")
    click.echo("\n".join(lines))


@descriptors.command("tree")
@json_option
def tree(as_json: bool) -> None:
    """Print the genre → subgenre → mood tree."""
    catalog = _catalog()
    data = catalog.tree()
    if as_json:
        echo_json(data)
        return
    for genre, subgenres in data.items():
        click.echo(genre)
        for subgenre, moods in subgenres.items():
            click.echo(f"  {subgenre} ({len(moods)}): {', '.join(moods)}")
