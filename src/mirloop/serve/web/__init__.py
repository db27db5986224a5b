"""The web app of ``mirloop serve``: from a reference track to music like it, in a browser.

Upload a track (or pick a bundled example) → progress per stage → the analysis view (waveform
with the form segments, the descriptor of every 2-s window with its probability, tempo, key, and
where the classifier is unsure) → change a segment's descriptor, tempo or key → single- and
multi-region renders, heard again by the classifier → the reference and the renders side by
side with their boundaries → downloads. The descriptor catalog can be browsed and auditioned.

Server-rendered Jinja2 pages (:mod:`.routes`, ``templates/``) with a small script
(``static/app.js``); the work runs as jobs of the serve core's job store: ``track``
(:mod:`.track_job`), ``track_render`` (:mod:`.render_job`) and the core's ``render`` for
auditions.
"""
