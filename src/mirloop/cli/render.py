"""``mirloop render``: a timeline (or one descriptor) to audio, with MIDI, stems and JAMS ground truth."""

from __future__ import annotations

import math
import time
from pathlib import Path
from typing import Any

import click

from mirloop.cli.common import config_options, echo_json, json_option, resolve_config


@click.command()
@click.argument("timeline", required=False, type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option(
    "-o",
    "--output",
    required=True,
    type=click.Path(dir_okay=False, path_type=Path),
    help="Audio file to write (.wav, .flac, .ogg or .mp3); the JAMS ground truth goes next to it.",
)
@click.option("--descriptor", metavar="NAME", help="Render one descriptor instead of a timeline file.")
@click.option(
    "--duration",
    type=click.FloatRange(min=0, min_open=True),
    default=30.0,
    show_default=True,
    help="Seconds (with --descriptor).",
)
@click.option(
    "--tempo",
    type=click.FloatRange(min=1),
    default=None,
    help="BPM (with --descriptor; default: drawn from the descriptor's range).",
)
@click.option(
    "--key",
    "key_text",
    metavar="KEY",
    default=None,
    help='Key (with --descriptor), e.g. "fis minor", "F#:minor" or a tonic alone (then the '
    "descriptor's own mode); a mode the descriptor's tonality is not plays its progression in "
    "that mode.",
)
@click.option("--band", default=None, help="Band of the descriptor (with --descriptor; default: drawn).")
@click.option("--cut", is_flag=True, help="End with a hard cut instead of a ring-out (with --descriptor).")
@click.option("--seed", type=int, default=None, help="Seed: the same seed gives the same audio.")
@click.option("--midi", is_flag=True, help="Also write the MIDI file (.mid next to the audio).")
@click.option(
    "--stems",
    is_flag=True,
    help="Also write one stem per instrument (<name>_stems/ next to the audio; a folder there that "
    "holds files mirloop did not write is never replaced: the render is refused).",
)
@click.option(
    "--sr", type=click.IntRange(8000, 192000), default=None, help="Sample rate in Hz (default 44100)."
)
@click.option(
    "--soundfont",
    type=click.Path(dir_okay=False),
    default=None,
    help="General MIDI SoundFont (.sf2); default: the best one installed.",
)
@config_options
@json_option
def render(
    timeline: Path | None,
    output: Path,
    descriptor: str | None,
    duration: float,
    tempo: float | None,
    key_text: str | None,
    band: str | None,
    cut: bool,
    seed: int | None,
    midi: bool,
    stems: bool,
    sr: int | None,
    soundfont: str | None,
    config_path: str | None,
    use: tuple[str, ...],
    set_: tuple[str, ...],
    as_json: bool,
) -> None:
    """Render TIMELINE (Amper timeline JSON) or --descriptor NAME to audio plus a JAMS sidecar.

    \b
    mirloop render timeline.json -o out.wav --midi --stems --seed 7
    mirloop render --descriptor rock_indie_driving --duration 30 --key "fis minor" -o out.wav
    """
    from mirloop.renderer.api import draw_seed, prepare_streamed, resolve_options
    from mirloop.renderer.api import render as render_timeline
    from mirloop.renderer.production import streams
    from mirloop.renderer.writers import write_render, write_streamed_render

    started = time.time()
    if (timeline is None) == (descriptor is None):
        raise click.UsageError("give either a TIMELINE file or --descriptor NAME (not both)")
    if not math.isfinite(duration):
        raise click.BadParameter(f"{duration} is not a number of seconds", param_hint="--duration")
    from mirloop.io.audio_out import audio_format

    audio_format(output)  # an output format mirloop cannot write is refused before the render
    config = resolve_config(config_path, use, set_)
    streamed = False
    if config.backend("renderer") != "mirloop":
        render_with = _configured_renderer(config, stems=stems, sr=sr, soundfont=soundfont)
    else:
        options = resolve_options(config)
        overrides: dict[str, Any] = {"stems": stems or options.stems}
        if sr is not None:
            overrides["sr"] = sr
        if soundfont is not None:
            overrides["soundfont"] = soundfont
        from attrs import evolve

        options = evolve(options, **overrides)
        # Without domain randomisation the render streams block by block into the file and its
        # stems (bounded memory, MIRLOOP_MAX_STREAMED_RENDER_SECONDS); otherwise it is made in memory.
        streamed = streams(options)

        def render_with(source: Any, seed: int | None) -> Any:
            if streamed:
                return prepare_streamed(source, seed=seed, config=options)
            return render_timeline(source, seed=seed, config=options)
    if descriptor is not None:
        from mirloop.catalog import load_catalog
        from mirloop.timeline import single_region

        found = load_catalog().get(descriptor)  # unknown names fail with the nearest suggestions
        seed = draw_seed() if seed is None else seed
        source = single_region(
            found.name,
            duration,
            tempo=tempo,
            key=key_text,
            band=band,
            ending="cut" if cut else "ringout",
            random_tempo=tempo is None,
            random_instruments=band is None,
            seed=seed,
        )
        result = render_with(source, seed)
    else:
        result = render_with(timeline, seed)
    from mirloop.io.atomic import remove_stale_temporaries

    remove_stale_temporaries(Path(output).parent, before=started, depth=1)
    if streamed:
        written = write_streamed_render(result, output, midi=midi, stems=stems)
        truth = result.truth
        duration, soundfont = result.duration, result.soundfont
    else:
        written = write_render(result, output, midi=midi, stems=stems)
        truth, duration, soundfont = result.truth, result.duration, result.soundfont
    summary: dict[str, Any] = {
        "seed": result.seed,
        "duration": duration,
        "soundfont": str(soundfont),
        "augmentation": result.augmentation,
        "files": {kind: str(path) for kind, path in written.items()},
        "regions": [
            {
                "start": r.start,
                "end": r.end,
                "descriptor": r.descriptor,
                "band": r.band,
                "tempo": r.tempo,
                "key": str(r.key) if r.key else None,
            }
            for r in truth.regions
        ],
    }
    if as_json:
        echo_json(summary)
        return
    for path in written.values():
        click.echo(f"wrote {path}")
    for r in summary["regions"]:
        click.echo(
            f"  {r['start']:7.2f}–{r['end']:7.2f} s  {r['descriptor']}  band {r['band']}  "
            f"{r['tempo']:.1f} BPM  {r['key'] or '(no key)'}"
        )
    click.echo(f"seed {result.seed} (repeat with --seed {result.seed})")


def _configured_renderer(config: Any, *, stems: bool, sr: int | None, soundfont: str | None) -> Any:
    """``render(source, seed)`` of the configured renderer backend when it is not the built-in one
    (e.g. ``amper``, which renders on a server), with stems asked for when it has that option."""
    from mirloop.plugins import registry

    name = config.backend("renderer")
    for flag, value in (("--sr", sr), ("--soundfont", soundfont)):
        if value is not None:
            raise click.UsageError(f"{flag} sets the built-in renderer; set the options of the {name!r} "
                                   "renderer with --set renderer.OPTION=VALUE")
    options = dict(config.options("renderer"))
    if stems and "stems" in registry().get("renderer", name).option_table:
        options["stems"] = True
    backend = registry().create("renderer", name, options)

    def render_with(source: Any, seed: int | None) -> Any:
        return backend.render(source, seed=seed)

    return render_with
