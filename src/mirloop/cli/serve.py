"""``mirloop serve``: the web app and Amper's render API in one process (needs ``mirloop[serve]``)."""

from __future__ import annotations

from pathlib import Path

import click

from mirloop.errors import ConfigError

#: Addresses reachable from this machine only.
LOOPBACK = ("127.0.0.1", "localhost", "::1")


@click.command()
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option(
    "--port", type=click.IntRange(0, 65535), default=8000, show_default=True, help="Port to listen on."
)
@click.option(
    "--data",
    type=click.Path(file_okay=False, path_type=Path),
    default=Path("mirloop-data"),
    show_default=True,
    help="Folder of the job database, uploads and outputs (made if missing).",
)
@click.option("--workers", type=click.IntRange(1, 64), default=2, show_default=True, help="Worker processes.")
@click.option(
    "--queue-limit",
    type=click.IntRange(1),
    default=32,
    show_default=True,
    help="Jobs that may wait or run at once; more are answered 429.",
)
@click.option(
    "--max-upload-mb", type=click.FloatRange(min=0, min_open=True), default=100.0, show_default=True,
    help="Largest upload accepted (MB).",
)
@click.option(
    "--warm-up/--no-warm-up",
    default=True,
    show_default=True,
    help="Start each worker with one short render, so the first job starts at full speed.",
)
@click.option("--config", "config_path", type=click.Path(dir_okay=False), default=None,
              help="A mirloop.toml to use (default: the discovered configuration).")
def serve(
    host: str, port: int, data: Path, workers: int, queue_limit: int, max_upload_mb: float,
    warm_up: bool,
    config_path: str | None,
) -> None:
    """Serve the web app and Amper's simple-render API (``/v1``, OpenAPI at ``/openapi.json``).

    \b
    API keys: MIRLOOP_SERVE_API_KEYS=key1,key2 (unset: no auth).
    mirloop serve --port 8000 --data mirloop-data/
    """
    try:
        import uvicorn

        from mirloop.serve import ServeSettings, create_app
        from mirloop.serve.settings import API_KEYS_ENV
    except ImportError as exc:
        raise ConfigError(
            f"mirloop serve needs the 'serve' extra ({exc.name} is missing); "
            "install it with: pip install 'mirloop[serve]'"
        ) from None
    settings = ServeSettings.from_env(
        data, workers=workers, queue_limit=queue_limit, max_upload_mb=max_upload_mb, config_path=config_path,
        warm_up=warm_up,
    )
    if host not in LOOPBACK and not settings.api_keys:
        click.echo(
            f"warning: listening on {host} without API keys; anyone who reaches this address may submit "
            f"jobs (set {API_KEYS_ENV}, or serve on 127.0.0.1)",
            err=True,
        )
    app = create_app(settings)
    click.echo(f"mirloop serve: http://{host}:{port}/ (data in {data.resolve()})", err=True)
    uvicorn.run(app, host=host, port=port, log_level="info", access_log=False)
