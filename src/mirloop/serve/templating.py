"""Jinja2 templates of the web app: ``templates()`` loads ``mirloop/serve/templates/``."""

from __future__ import annotations

from functools import cache
from pathlib import Path

from fastapi.templating import Jinja2Templates

TEMPLATES = Path(__file__).parent / "templates"


@cache
def templates() -> Jinja2Templates:
    """The web app's templates (``TemplateResponse(request, "page.html", {...})``)."""
    return Jinja2Templates(directory=TEMPLATES)
