"""From region plans to a :class:`RenderResult` (in memory) or straight to an audio file (streaming)."""

from __future__ import annotations

import math
import os
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import numpy as np

from mirloop.errors import AudioError, RenderError
from mirloop.limits import MAX_RENDER_SECONDS, MAX_STREAMED_RENDER_SECONDS
from mirloop.renderer.buses import BusProcessor, Ducker, ducker_for, make_processors, master_for
from mirloop.renderer.channels import allocate
from mirloop.renderer.compose import compose
from mirloop.renderer.engine import Block, MixSettings, stream_audio
from mirloop.renderer.genre_sound import master_of, part_voices, space_of
from mirloop.renderer.idioms import hall_of, part_treatments
from mirloop.renderer.level import ScoreIndex, master_gain, sections
from mirloop.renderer.midi import score_to_midi
from mirloop.renderer.options import RenderOptions
from mirloop.renderer.plan import RegionPlan
from mirloop.renderer.randomize import (
    ChainParams,
    apply_chain,
    augmentation_record,
    chorus_insert,
    draw_chain,
    usable_chain,
)
from mirloop.renderer.score import Score
from mirloop.renderer.soundfont import find_soundfont, installed_soundfonts
from mirloop.renderer.truth import ground_truth
from mirloop.renderer.voice_synth import NoteCache, VoiceSynth
from mirloop.types import Audio, Descriptor
from mirloop.types.render import RenderResult

#: Reverb send per articulation, relative to the ``reverb`` option.
REVERB_BY_ARTICULATION = {"sustained": 1.4, "legato": 1.1, "marcato": 0.8, "staccato": 0.7}
#: The ``loudness`` option is the level of a style with this ``dynamics``; quieter styles sit lower by
#: :data:`DB_PER_DYNAMICS` dB per unit (a 0.2 dynamics style is 9.6 dB under a 1.0 one) and louder
#: ones gain at most :data:`MAX_DYNAMICS_BOOST` dB, as mastered music of calm and loud moods does.
REFERENCE_DYNAMICS = 0.8
DB_PER_DYNAMICS = 12.0
MAX_DYNAMICS_BOOST = 2.0


def dynamics_offset(plans: list[RegionPlan]) -> float:
    """dB added to the loudness target for the plans' duration-weighted mean ``dynamics``."""
    weights = np.array([max(p.end - p.start, 1e-6) for p in plans])
    dynamics = float(np.average([p.descriptor.style.dynamics for p in plans], weights=weights))
    return min(MAX_DYNAMICS_BOOST, DB_PER_DYNAMICS * (dynamics - REFERENCE_DYNAMICS))


def streams(options: RenderOptions) -> bool:
    """Whether a render with ``options`` can be written to files block by block (its mix and, with
    ``stems``, each instrument's stem): not with a domain-randomised master chain, which needs the
    whole mix and is made in memory."""
    return options.randomize == "none"


class Prepared:
    """A composed render ready to stream: score, channels, MIDI bytes, soundfont, mix settings, the
    bus treatment of each part and, when randomised, the drawn chain (:attr:`chain`).

    ``streamed`` says the render will be written block by block to a file (:func:`streams`): its
    length is then checked against :data:`~mirloop.limits.MAX_STREAMED_RENDER_SECONDS` instead
    of the in-memory :data:`~mirloop.limits.MAX_RENDER_SECONDS`.
    """

    def __init__(
        self,
        plans: list[RegionPlan],
        duration: float,
        seed: int,
        options: RenderOptions,
        *,
        streamed: bool = False,
    ) -> None:
        if not math.isfinite(duration) or duration <= 0:
            raise RenderError(f"render duration must be a positive number of seconds, got {duration} s")
        if streamed and not streams(options):
            raise RenderError("a domain-randomised render is made in memory, not streamed")
        limit = MAX_STREAMED_RENDER_SECONDS if streamed else MAX_RENDER_SECONDS
        limit.check(duration, "the render would last", error=RenderError)
        if round(duration * options.sr) < 1:
            raise RenderError(
                f"the render would last {duration:g} s, less than one sample at {options.sr} Hz; "
                f"make the timeline at least {1 / options.sr:.2g} s long"
            )
        if not plans:
            raise RenderError("nothing to render: the timeline has no region")
        self.plans, self.duration, self.seed, self.options = plans, duration, seed, options
        idioms = options.plays_idioms
        self.score: Score = compose(plans, duration, seed, idioms=idioms, production=options.production)
        self.channels = allocate(self.score.parts)
        self.midi = score_to_midi(self.score, plans, self.channels)
        fonts = installed_soundfonts()[0] if options.randomize == "full" else {}
        drawn = draw_chain(seed, options.randomize, list(fonts))
        self.chain: ChainParams | None = None
        self.augmentation: dict[str, Any] | None = None
        if drawn is not None:
            self.chain, note = usable_chain(drawn, options.sr)
            self.augmentation = augmentation_record(self.chain, note)
        self.soundfont: Path = (
            fonts[self.chain.soundfont]
            if self.chain is not None and self.chain.soundfont
            else find_soundfont(options.soundfont)
        )
        self.descriptors = [p.descriptor for p in plans]
        #: The NumPy voice of each part (``None``: the SoundFont plays it), by the genre production.
        self.voices = part_voices(self.score.parts, self.descriptors, production=options.production)
        self.treatments = [
            tuple(sorted((*names, "voice"))) if voice is not None else names
            for names, voice in zip(
                part_treatments(
                    self.score.parts,
                    self.descriptors,
                    idioms=idioms,
                    chorus=self.chain is not None and self.chain.chorus,
                ),
                self.voices,
            )
        ]
        #: The ground truth: beats, tempo, key, regions and their instruments, read off plans and score.
        self.truth = ground_truth(plans, duration, self.score)
        self._index = ScoreIndex(self.score)
        #: The NumPy voices' notes, synthesised once for the level probes and the render.
        self.notes = NoteCache()
        #: Runs of regions with one descriptor: the sections levelled, roomed and mastered alike.
        self.runs = runs = sections([p.descriptor.name for p in plans])
        levels = [self._level(section) for section in runs]
        gain, wet = levels[0][1:]
        rooms = tuple(self._space([plans[run[0]].descriptor])[0] for run in runs)  # RT60 per section
        self.settings = MixSettings(
            gain=gain,
            wet=wet,
            decay=rooms[0],
            ceiling_db=options.ceiling,
            block=options.block,
            sections=tuple(levels) if len(levels) > 1 else (),
            decays=rooms if len(runs) > 1 else (),
        )

    def _level(self, section: tuple[int, ...]) -> tuple[float, float, float]:
        """``(start s, gain, wet)`` of a section of plans: the master gain and reverb send a render
        of these plans alone would get (its loudest climax at the loudness target of its dynamics)."""
        plans = [self.plans[i] for i in section]
        wet = self.options.reverb * float(
            np.mean(
                [
                    REVERB_BY_ARTICULATION.get(p.descriptor.style.articulation, 1.0)
                    * self._space([p.descriptor])[1]
                    for p in plans
                ]
            )
        )
        target = self.options.loudness - 1.0 + dynamics_offset(plans)
        gain = master_gain(
            self.score,
            self.channels,
            self.soundfont,
            self.options.sr,
            target,
            section,
            index=self._index,
            voices=self.voices if any(v is not None for v in self.voices) else None,
            seed=self.seed,
            cache=self.notes,
        )
        return plans[0].start, gain, wet

    def _space(self, descriptors: list[Descriptor]) -> tuple[float, float]:
        """(RT60 s, send multiplier) of the reverb: the genre production's space, else the idioms' hall."""
        space = space_of(descriptors[0], production=self.options.production) if descriptors else None
        return space if space is not None else hall_of(descriptors, idioms=self.options.plays_idioms)

    @property
    def n_samples(self) -> int:
        return round(self.duration * self.options.sr)

    def blocks(self, *, stems: bool | None = None) -> Iterator[Block]:
        ducker = ducker_for(self.score, self.descriptors, self.options.sr)
        production = self.options.production
        firsts = [self.plans[run[0]] for run in self.runs]
        masters = [(p.start, master_of(p.descriptor, production=production)) for p in firsts]
        master = master_for(masters, self.options.sr)
        return stream_audio(
            self.score,
            self.channels,
            self.soundfont,
            self.options.sr,
            self.settings,
            stems=self.options.stems if stems is None else stems,
            treatments=self.treatments,
            processors=self._processors,
            ducker=ducker,
            voices=self._voice_synth(ducker) if any(v is not None for v in self.voices) else None,
            master=master,
        )

    def _voice_synth(self, ducker: Ducker | None) -> Callable[[list[int]], VoiceSynth]:
        def make(members: list[int]) -> VoiceSynth:
            gains = (
                {k: ducker for k, i in enumerate(members) if "duck" in self.treatments[i]}
                if ducker is not None
                else {}
            )
            return VoiceSynth(
                [self.score.parts[i] for i in members],
                [self.voices[i] or "" for i in members],
                self.options.sr,
                self.n_samples,
                seed=self.seed,
                keys=members,
                gains=gains,
                cache=self.notes,
            )

        return make

    def _processors(self, treatments: tuple[str, ...], members: list[int]) -> list[BusProcessor]:
        chain = self.chain
        return make_processors(
            treatments,
            [self.score.parts[i].instrument.program for i in members],
            self.options.sr,
            chorus=(lambda sr: chorus_insert(chain, sr)) if chain is not None else None,
        )


def render_plans(plans: list[RegionPlan], duration: float, seed: int, options: RenderOptions) -> RenderResult:
    """Compose, synthesize and mix in memory (then the randomised chain, if any)."""
    return render_prepared(Prepared(plans, duration, seed, options))


def render_prepared(prepared: Prepared) -> RenderResult:
    """Synthesize and mix a prepared render in memory."""
    plans, seed, options = prepared.plans, prepared.seed, prepared.options
    sr, n = options.sr, prepared.n_samples
    audio = np.zeros((2, n), dtype=np.float32)
    stems: dict[str, np.ndarray] | None = {} if options.stems else None
    for block in prepared.blocks():
        stop = block.start + block.mix.shape[1]
        audio[:, block.start : stop] = block.mix
        if stems is not None and block.stems:
            for name, samples in block.stems.items():
                stems.setdefault(name, np.zeros((2, n), dtype=np.float32))[:, block.start : stop] = samples
    if prepared.chain is not None:
        audio = apply_chain(audio, sr, prepared.chain, seed=seed)
    source = ", ".join(p.descriptor.name for p in plans)
    return RenderResult(
        audio=Audio(audio, sr, source),
        midi=prepared.midi,
        truth=prepared.truth,
        seed=seed,
        stems={name: Audio(s, sr, name) for name, s in stems.items()} if stems is not None else None,
        soundfont=str(prepared.soundfont),
        augmentation=prepared.augmentation,
    )


def stream_plans_to_file(
    plans: list[RegionPlan],
    duration: float,
    seed: int,
    options: RenderOptions,
    path: str | os.PathLike[str],
    *,
    subtype: str | None = None,
) -> Prepared:
    """Render straight into an audio file, block by block (memory does not grow with the duration;
    a randomised render is made in memory, as its master chain and codec need the whole of it).

    The file appears atomically when complete. Returns the prepared render (score, MIDI, truth).
    """
    prepared = Prepared(plans, duration, seed, options, streamed=streams(options))
    if prepared.chain is not None:
        from mirloop.errors import AudioError
        from mirloop.io.audio_out import write_audio_file

        audio = render_prepared(prepared).audio
        try:  # the io layer's writer: renderer.writers builds on this module, not the reverse
            write_audio_file(path, audio.samples.T, audio.sr, subtype=subtype)
        except AudioError as exc:
            raise RenderError(str(exc)) from exc
        return prepared
    stream_prepared_to_file(prepared, path, subtype=subtype)
    return prepared


def stream_prepared_to_file(
    prepared: Prepared,
    path: str | os.PathLike[str],
    *,
    subtype: str | None = None,
    stems: str | os.PathLike[str] | None = None,
    listener: Callable[[np.ndarray], None] | None = None,
) -> Path:
    """Write the mix of ``prepared`` (without a randomised chain) to ``path`` one block at a time,
    with the samples :func:`render_prepared` makes, and with ``stems`` (an existing folder; the
    render's ``stems`` option on) each instrument's stem as ``<instrument>.wav`` in it, with the
    samples of :attr:`RenderResult.stems`. The files are handed to their encoders in the blocks the
    whole-array writer uses (:class:`mirloop.io.audio_out.AudioFileWriter`) and appear atomically
    when all are complete; a failure leaves none of them. ``listener``, when given, is called with
    each block of the mix (``(frames, 2)`` float32) as it is written, to make more of it in the
    same pass (an exception it raises fails the render)."""
    from contextlib import ExitStack

    from mirloop.io.audio_out import AudioFileWriter, open_audio_file

    if prepared.chain is not None:
        raise RenderError(
            "a domain-randomised render needs its whole mix for the master chain; render it in memory"
        )
    if stems is not None and not prepared.options.stems:
        raise RenderError("this render has no stems; render with the option stems=true")
    target, sr = Path(path), prepared.options.sr
    try:
        with ExitStack() as files:
            mix = files.enter_context(open_audio_file(target, sr, 2, subtype=subtype))
            parts: dict[str, AudioFileWriter] | None = None
            for block in prepared.blocks():
                mix.write(block.mix.T)
                if listener is not None:
                    listener(block.mix.T)
                if stems is None or block.stems is None:
                    continue
                if parts is None:  # every block holds every instrument's stem
                    parts = {name: files.enter_context(open_audio_file(Path(stems) / f"{name}.wav", sr, 2))
                             for name in sorted(block.stems)}
                for name, writer in parts.items():
                    writer.write(block.stems[name].T)
    except AudioError as exc:
        raise RenderError(str(exc)) from exc
    return target
