"""`tremplin serve`: run the HTTP API with uvicorn (JSON logs); several workers are forked by gunicorn
from one loaded engine, so they share its memory (see `matcher.cli.prefork`).

The app is named by its factory string, so `matcher` does not import `service`.
"""

from __future__ import annotations

import typer

APP_FACTORY = "service.app:create_served_app"


def serve(
    host: str = typer.Option("127.0.0.1", "--host", help="Address to listen on."),
    port: int = typer.Option(8000, "--port", min=1, max=65535, help="Port to listen on."),
    workers: int = typer.Option(
        1,
        "--workers",
        min=1,
        help="Worker processes, forked from one loaded engine (memory shared); each follows the others' writes.",
    ),
    log_level: str = typer.Option("info", "--log-level", help="debug, info, warning or error."),
) -> None:
    """Serve the API (docs at /docs, health at /health) until interrupted."""
    import logging
    import os

    import uvicorn

    # The app's lifespan installs JSON logging at this level in each worker process; drop the CLI's
    # plain handler so every line is JSON (matcher never imports service, hence the variable).
    os.environ["TREMPLIN_LOG_LEVEL"] = log_level.upper()
    # A server runs for long and, with several workers, beside other writers: each worker takes up a
    # newer index snapshot and the others' writes every 2 s unless configured otherwise.
    os.environ.setdefault("TREMPLIN_SNAPSHOT_CHECK_SECONDS", "2")
    root = logging.getLogger()
    for handler in list(root.handlers):
        root.removeHandler(handler)
    if workers > 1:  # one engine loaded, then forked: the workers share its memory
        from matcher.cli.prefork import run_prefork

        run_prefork(host, port, workers, log_level)
        return
    uvicorn.run(
        APP_FACTORY,
        factory=True,
        host=host,
        port=port,
        workers=workers,
        log_config=None,
        log_level=log_level,
        access_log=False,  # the app logs every request itself, with its request id
        proxy_headers=True,
    )


def register(app: typer.Typer) -> None:
    app.command("serve")(serve)
