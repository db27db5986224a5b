"""The HTML report's links reach files whose track names hold URL characters."""

from __future__ import annotations

import re
from urllib.parse import unquote

from mirloop.loop.html import _track_section
from mirloop.loop.track import TrackLoop


def test_figure_players_and_timelines_of_a_track_named_with_url_characters_resolve() -> None:
    name = "Mé ditation (live) #1 ?50% & more"
    track = TrackLoop(name=name, source=f"/music/{name}.ogg", folder=name)
    track.media = {"figure": f"{name}/loop.png", "input_audio": f"{name}/input.ogg"}
    track.renders = [{"name": "multi-00", "ok": True, "descriptor": "jazz_swing_happy",
                      "timeline": f"{name}/timelines/multi-00.json", "audio": f"{name}/renders/multi-00.ogg"}]

    page = _track_section(track)

    links = re.findall(r"(?:src|href)='([^']*)'", page)
    assert len(links) == 4
    assert not any(c in link for link in links for c in "# ?")  # a raw '#' ends a URL's path
    files = ["loop.png", "input.ogg", "timelines/multi-00.json", "renders/multi-00.ogg"]
    assert [unquote(link.replace("&amp;", "&")) for link in links] == [f"{name}/{f}" for f in files]
