"""The web app in a real headless browser (Debian's chromium, driven by Playwright).

One visit, as a person makes it: upload a reference clip, watch its analysis progress, see its
segments and windows, change a segment's descriptor, render, play the reference and a render
side by side, download every kind of file; then browse and audition the catalog. A screenshot of
every page is kept in ``$MIRLOOP_ARTEFACTS/web/`` (default ``artefacts/web/`` in the source tree,
ignored by git).
"""

from __future__ import annotations

import io
import json
import os
import shutil
import zipfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.web.conftest import ROOT

CHROMIUM = shutil.which("chromium")
ARTEFACTS = Path(os.environ.get("MIRLOOP_ARTEFACTS", ROOT / "artefacts")) / "web"
#: The descriptor the test gives the first segment (not one the clip is heard as).
CHANGED_TO = "ambient_chill_dreamy"

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(
        CHROMIUM is None,
        reason="Debian's chromium is not installed (make apt, or apt-get install chromium chromium-driver)",
    ),
]


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(
            executable_path=CHROMIUM, args=["--no-sandbox", "--autoplay-policy=no-user-gesture-required"]
        )
        yield launched
        launched.close()


@pytest.fixture
def page(browser: Any, request: pytest.FixtureRequest) -> Iterator[Any]:
    context = browser.new_context(viewport={"width": 1100, "height": 900}, accept_downloads=True)
    opened = context.new_page()
    errors: list[str] = []
    opened.on("pageerror", lambda error: errors.append(str(error)))
    failed_before = request.session.testsfailed
    yield opened
    if request.session.testsfailed > failed_before:  # the page as the failing step left it
        shot(opened, f"failed-{request.node.name}")
        (ARTEFACTS / f"failed-{request.node.name}.html").write_text(opened.content())
    context.close()
    assert errors == [], f"script errors on the page: {errors}"


def shot(page: Any, name: str) -> None:
    ARTEFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTEFACTS / f"{name}.png"), full_page=True)


def download(page: Any, take: Any, label: str, *, exact: bool = True) -> bytes:
    with page.expect_download() as started:
        take.get_by_role("link", name=label, exact=exact).click()
    return Path(started.value.path()).read_bytes()


def test_upload_analyse_change_render_play_and_download(server: str, clip: Path, page: Any) -> None:
    page.goto(server + "/")
    shot(page, "1-home")
    page.set_input_files("input[name=file]", str(clip))
    page.get_by_role("button", name="Analyse", exact=True).click()
    page.wait_for_url("**/tracks/*")
    shot(page, "2-analysis-progress")

    form = page.locator("form.render-form")
    form.wait_for(timeout=120_000)
    shot(page, "3-analysis")
    assert page.locator("h1").inner_text() == clip.name
    assert float(page.locator(".facts .tempo").inner_text()) > 0
    assert page.locator(".facts .key").inner_text().endswith(("major", "minor"))
    page.wait_for_selector("canvas.wave[data-drawn=true]")
    windows = page.locator(".windows .window")
    assert windows.count() == 3  # 10-s windows every 2 s over 14 s
    segments = page.locator("tr.segment")
    assert segments.count() >= 1
    first = segments.first.locator("select[name=seg-0-descriptor]")
    assert first.input_value() == segments.first.locator(".analysed").inner_text() != CHANGED_TO

    first.select_option(CHANGED_TO)
    page.fill("input[name=renders]", "1")
    page.get_by_role("button", name="Render").click()
    page.wait_for_url("**/renders/*")
    shot(page, "4-render-progress")
    page.locator("article.render").first.wait_for(timeout=180_000)
    page.wait_for_function("[...document.querySelectorAll('canvas.wave')].every(c => c.dataset.drawn)")
    shot(page, "5-renders")

    single = page.locator("article[data-render=single-00]")
    multi = page.locator("article[data-render=multi-00]")
    assert multi.locator("td.rendered").first.inner_text() == CHANGED_TO
    assert multi.locator("td.heard").first.inner_text() != ""  # what the classifier heard in it
    assert single.locator("td.rendered").count() == 1

    # play the render, then the reference: the linked players play one at a time
    page.evaluate("document.getElementById('player-multi-00').play()")
    page.wait_for_function("document.getElementById('player-multi-00').currentTime > 0.3")
    page.evaluate("document.getElementById('player-reference').play()")
    page.wait_for_function("document.getElementById('player-reference').currentTime > 0.3")
    assert page.evaluate("document.getElementById('player-multi-00').paused")
    # a click halfway along the reference's waveform moves every player there
    page.evaluate("document.getElementById('player-reference').pause()")
    page.locator("article.reference canvas.wave").click(position={"x": 5, "y": 40})
    box = page.locator("article.reference canvas.wave").bounding_box()
    page.locator("article.reference canvas.wave").click(position={"x": box["width"] / 2, "y": 40})
    page.wait_for_function(
        "[...document.querySelectorAll('audio.linked')].every(a => Math.abs(a.currentTime - 7) < 0.6)"
    )
    # a second seek right after the first (as dragging a player's slider makes) is followed too,
    # and the first seek's late events do not pull the players back
    page.evaluate(
        """() => {
        const reference = document.getElementById('player-reference');
        reference.addEventListener('seeked', () => { reference.currentTime = 9; }, { once: true });
        reference.currentTime = 2;
        }"""
    )
    page.wait_for_function(
        "[...document.querySelectorAll('audio.linked')].every(a => Math.abs(a.currentTime - 9) < 0.05)"
    )
    page.wait_for_timeout(500)
    positions = page.evaluate("[...document.querySelectorAll('audio.linked')].map(a => a.currentTime)")
    assert len(positions) == 3 and set(positions) == {9}  # the reference and both renders

    assert download(page, multi, "WAV")[:4] == b"RIFF"
    assert download(page, multi, "FLAC")[:4] == b"fLaC"
    assert download(page, multi, "MIDI")[:4] == b"MThd"
    timeline = json.loads(download(page, multi, "timeline JSON"))
    first_region = timeline["timeline"]["spans"][0]["actions"][0]["add_region"]
    assert first_region["descriptor"] == CHANGED_TO
    assert json.loads(download(page, multi, "JAMS"))["file_metadata"]["duration"] > 0
    stems = zipfile.ZipFile(io.BytesIO(download(page, multi, "stems", exact=False)))
    assert stems.namelist() and all(n.endswith(".wav") for n in stems.namelist())


def test_browse_and_audition_the_catalog(server: str, page: Any) -> None:
    page.goto(server + "/catalog")
    everything = page.locator("table.catalog tbody tr").count()
    page.fill("#catalog-filter", "dreamy")
    shown = page.locator("table.catalog tbody tr:not([hidden])")
    assert 0 < shown.count() < everything
    assert page.locator("#catalog-count").inner_text() == str(shown.count())
    row = page.locator(f"tr[data-name={CHANGED_TO}]")
    row.get_by_role("button", name="Audition").click()
    player = row.locator("audio")
    player.wait_for(state="visible", timeout=120_000)
    page.wait_for_function(
        f"document.querySelector('tr[data-name={CHANGED_TO}] audio').currentTime > 0.2", timeout=30_000
    )
    shot(page, "6-catalog")
