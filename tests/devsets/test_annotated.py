"""The annotated sets: ABC keys read exactly, beats in their bar, splices with exact joins."""

from __future__ import annotations

import json

import numpy as np
import pytest
from devsets.annotated.annotation import annotation_bytes
from devsets.annotated.compositions import arrange, declared_key, scan_abc
from devsets.annotated.splice import CROSSFADE_SECONDS, cut_chunk, nearest_zero_crossing, splice
from devsets.real_music.renders import NOTE_OFF, NOTE_ON, PROGRAM, NoteEvent

from mirloop.errors import DatasetError
from mirloop.evaluation.annotations import read_truth

ABC = """X:1
T:A Minor Air
M:6/8
K:EMinor
EFG B2e|

X:2
T:A Pipe Tune
M:2/4
K:Hp
ABc|

X:3
T:A Mixolydian Reel
K:AMixolydian
ABc|

X:4
T:A Major March
M:C|
K:Bb
Bcd|
"""


def test_abc_headers_give_major_and_minor_keys_and_leave_modal_ones_out() -> None:
    tunes = scan_abc(ABC, "miscFolk/x.abc")
    assert [(t.work, t.key, t.meter) for t in tunes] == [
        ("miscFolk/x.abc#1", "E:minor", "6/8"),
        ("miscFolk/x.abc#4", "Bb:major", "C|"),
    ]
    assert declared_key("Dm % comment") == "D:minor"
    assert declared_key("F#") == "F#:major"
    assert declared_key("GDorian") is None


def test_arranging_sets_the_programs_and_doubles_the_melody_an_octave_below() -> None:
    events = [NoteEvent(0.0, 0, 0, PROGRAM, 52), NoteEvent(0.0, 2, 0, NOTE_ON, 64, 100),
              NoteEvent(1.0, 1, 0, NOTE_OFF, 64)]  # fmt: skip
    out = arrange(events, melody=40, doubling=42)
    programs = {(e.channel, e.a) for e in out if e.kind == PROGRAM}
    assert programs == {(0, 40), (1, 42)}
    assert [(e.channel, e.a, e.b) for e in out if e.kind == NOTE_ON] == [(0, 64, 100), (1, 52, 80)]
    assert all(e.kind != PROGRAM for e in arrange(events, melody=0, doubling=None) if e.channel)


def test_a_cut_lands_on_the_nearest_zero_crossing() -> None:
    sr = 1000
    mono = np.sin(2 * np.pi * 5 * np.arange(sr) / sr)  # crossings every 100 samples
    assert nearest_zero_crossing(mono, 290, search=20) in (300, 301)
    assert nearest_zero_crossing(mono, 250, search=20) == 250  # none within reach: the point itself


def tone(freq: float, seconds: float, sr: int) -> np.ndarray:
    t = np.arange(int(seconds * sr)) / sr
    return np.stack([np.sin(2 * np.pi * freq * t)] * 2, axis=1).astype(np.float32)


def test_spliced_chunks_join_exactly_where_the_boundaries_say() -> None:
    sr = 8000
    chunks = [cut_chunk(tone(f, 4.0, sr), sr, start=1.0, length=1.5) for f in (220.0, 330.0, 440.0)]
    audio, bounds = splice(chunks, sr)
    assert len(bounds) == 2
    # each chunk lasts its cut length (within the zero-crossing search) and the file their sum
    assert bounds[0] == pytest.approx(1.5, abs=0.011)
    assert bounds[1] - bounds[0] == pytest.approx(1.5, abs=0.021)
    assert len(audio) / sr == pytest.approx(4.5, abs=0.031)
    # away from the crossfades, the signal is purely the chunk that owns that time
    half = CROSSFADE_SECONDS
    for (start, end), freq in zip([(0, bounds[0]), (bounds[0], bounds[1])], (220.0, 330.0), strict=True):
        piece = audio[int((start + half) * sr) : int((end - half) * sr), 0]
        spectrum = np.abs(np.fft.rfft(piece))
        assert np.fft.rfftfreq(len(piece), 1 / sr)[np.argmax(spectrum)] == pytest.approx(freq, abs=2)


def test_a_silent_or_too_long_chunk_is_refused() -> None:
    with pytest.raises(DatasetError, match="silent"):
        cut_chunk(np.zeros((8000, 2), np.float32), 4000, start=0.5, length=1.0)
    with pytest.raises(DatasetError, match="does not fit"):
        cut_chunk(tone(220.0, 1.0, 4000), 4000, start=0.5, length=1.0)


def test_the_sidecar_is_what_evaluate_backends_reads(tmp_path) -> None:  # type: ignore[no-untyped-def]
    truth = {
        "title": "x",
        "duration": 30.0,
        "tempo": 96.5,
        "key": "Eb:minor",
        "beats": [(0.0, 1), (0.62, 2)],
        "segments": [(0.0, 12.0, "a"), (12.0, 30.0, "b")],
    }
    data = annotation_bytes(**truth)  # type: ignore[arg-type]
    assert data == annotation_bytes(**truth)  # type: ignore[arg-type]
    path = tmp_path / "x.jams"
    path.write_bytes(data)
    truth = read_truth(path)
    assert truth.tempo == 96.5 and str(truth.key) == "Eb minor"
    np.testing.assert_allclose(truth.intervals, [[0, 12], [12, 30]])
    beats = next(a for a in json.loads(data)["annotations"] if a["namespace"] == "beat")["data"]
    assert [(b["time"], b["value"]) for b in beats] == [(0.0, 1), (0.62, 2)]


def test_beats_keep_their_place_in_the_bar_after_a_pickup_and_the_tempo_is_the_only_mark() -> None:
    music21 = pytest.importorskip("music21")
    from devsets.annotated.compositions import beat_times, check_score, with_tempo

    abc = "X:1\nT:t\nM:6/8\nL:1/8\nQ:3/8=60\nK:Em\nB|e2e fed|B3 E2|]\n"
    checked = check_score(music21.converter.parse(abc, format="abc"), "E:minor", "t")
    assert checked.beat_quarters == 1.5
    beats = beat_times(checked, bpm=80.0, end=60.0)
    # the pickup eighth lasts 0.25 s at 80 dotted quarters a minute (0.75 s a beat); two beats a bar
    assert beats == [(0.25, 1), (1.0, 2), (1.75, 1), (2.5, 2)]
    marks = list(with_tempo(checked, semitones=3, bpm=80.0).recurse().getElementsByClass("MetronomeMark"))
    assert [m.getQuarterBPM() for m in marks] == [120.0]


def test_a_tune_that_does_not_end_on_its_declared_tonic_is_passed_over() -> None:
    music21 = pytest.importorskip("music21")
    from devsets.annotated.compositions import check_score
    from devsets.real_music.renders import RenderError

    abc = "X:1\nT:t\nM:2/4\nL:1/8\nK:G\nG|ABcB|d3|]\n"
    with pytest.raises(RenderError, match="ends on D, not on the declared tonic G"):
        check_score(music21.converter.parse(abc, format="abc"), "G:major", "t")


def test_a_modulating_file_has_a_key_per_region_and_its_parts_relate_as_named(tmp_path) -> None:  # type: ignore[no-untyped-def]
    pytest.importorskip("music21")
    from devsets.annotated.build import MODULATION_STEPS, choose_pieces, modulation_parts
    from devsets.common import BuildReport

    from mirloop.types.estimates import PITCH_CLASSES

    pieces = choose_pieces(17, 3, BuildReport())
    for i in range(6):
        (first, _), (second, moved), (third, relation) = modulation_parts(pieces, 17, i)
        assert modulation_parts(pieces, 17, i)[2][0] == third  # seeded
        assert second.header == first.header and abs(second.semitones) <= 6
        step = int(moved.split()[1])
        assert step in MODULATION_STEPS
        first_tonic, second_tonic, third_tonic = (
            PITCH_CLASSES.index(p.key.split(":")[0]) for p in (first, second, third)
        )
        assert (second_tonic - first_tonic) % 12 == step % 12
        assert third.checked.mode != first.checked.mode
        assert (third.font, third.melody, third.doubling) == (first.font, first.melody, first.doubling)
        expected = 0 if relation == "parallel" else (-3 if first.checked.mode == "major" else 3)
        assert (third_tonic - second_tonic) % 12 == expected % 12

    regions = [(0.0, 20.5, "D:major"), (20.5, 41.0, "E:major"), (41.0, 60.0, "C#:minor")]
    path = tmp_path / "m.jams"
    path.write_bytes(annotation_bytes(title="m", duration=60.0, key_regions=regions))
    truth = read_truth(path)
    assert truth.key is None  # no key holds half the file
    assert [(s, e, str(k)) for s, e, k in truth.key_regions] == [
        (0.0, 20.5, "D major"),
        (20.5, 41.0, "E major"),
        (41.0, 60.0, "C# minor"),
    ]


STRAINS_ABC = "X:1\nT:t\nM:2/4\nL:1/8\nK:G\nD|:G2 B2|d2 g2|B2 d2|G3 D:|\n|:e2 c2|A2 F2|A2 c2|B2 G2:|\n"


def test_a_tunes_sections_are_its_strains_and_start_exactly_on_their_first_note() -> None:
    music21 = pytest.importorskip("music21")
    from devsets.annotated.compositions import check_score, first_part
    from devsets.annotated.forms import strain_of_measures, strain_sections

    score = music21.converter.parse(STRAINS_ABC, format="abc")
    strains = strain_of_measures(score, "t")
    assert strains == {0: 0, 1: 0, 2: 0, 3: 0, 4: 0, 5: 1, 6: 1, 7: 1, 8: 1}  # the pickup belongs to A
    checked = check_score(score, "G:major", "t")
    sections = strain_sections(checked.score, strains, seconds_per_quarter=0.5, end=15.0)
    # the pickup (half a quarter) and A twice (8 quarters a pass), then B twice, cut at 15 s
    assert sections == [(0.0, 8.25, "A"), (8.25, 15.0, "B")]
    part = first_part(checked.score)
    first = {
        label: [n.nameWithOctave for n in part.flatten().notes if abs(float(n.offset) * 0.5 - start) < 1e-9]
        for start, _, label in sections
    }
    assert first == {"A": ["D4"], "B": ["E5"]}  # each section starts on its strain's first note


def test_scores_without_two_plain_strains_are_not_taken() -> None:
    music21 = pytest.importorskip("music21")
    from devsets.annotated.forms import strain_of_measures
    from devsets.real_music.renders import RenderError

    endings = "X:1\nT:t\nM:2/4\nL:1/8\nK:G\n|:G2 B2|d2 g2|1 B2 d2:|2 G4||\n"
    with pytest.raises(RenderError, match="first and second endings"):
        strain_of_measures(music21.converter.parse(endings, format="abc"), "t")
    one = "X:1\nT:t\nM:2/4\nL:1/8\nK:G\n|:G2 B2|d2 g2:|\n"
    with pytest.raises(RenderError, match="one strain"):
        strain_of_measures(music21.converter.parse(one, format="abc"), "t")


def test_a_performance_measure_the_score_does_not_have_is_refused() -> None:
    music21 = pytest.importorskip("music21")
    from devsets.annotated.compositions import check_score
    from devsets.annotated.forms import strain_sections
    from devsets.real_music.renders import RenderError

    checked = check_score(music21.converter.parse(STRAINS_ABC, format="abc"), "G:major", "t")
    with pytest.raises(RenderError, match="measure 5 of the performance is not a measure of the score"):
        strain_sections(checked.score, {n: 0 for n in range(5)}, seconds_per_quarter=0.5, end=60.0)
