"""Helpers shared by CLI commands: the store, JSON output and one-line failures."""

from __future__ import annotations

import json
import os
from typing import Any, NoReturn

import typer
from rich.console import Console

from matcher.settings import DATABASE_FILE, DEFAULT_HOME, Settings, get_settings
from matcher.store import Store

console = Console()
err_console = Console(stderr=True)
PIPED_WIDTH = 160


def fit_console_to_output() -> None:
    """Piped into a file or another program, Rich lays tables out for 80 columns and cuts every cell to
    "…"; reports are read there too (closing notes, CI logs), so they get room unless COLUMNS says."""
    columns = os.environ.get("COLUMNS", "")
    if columns.isdigit():
        console.width = int(columns)
    elif not os.isatty(1):
        console.width = PIPED_WIDTH


def state_settings(create: bool = False) -> Settings:
    """Settings whose state folder is checked before use.

    Without `TREMPLIN_HOME` the folder is `./var`, or the nearest `var/` above holding a database
    (said on stderr). A command other than `init` (`create=True`) refuses to start a new, empty
    store there: run from the wrong folder, it would silently report zero rows.
    """
    settings = get_settings()
    home = settings.home.resolve()
    implicit = "TREMPLIN_HOME" not in os.environ and settings.database_url is None
    if implicit and settings.home != DEFAULT_HOME:
        err_console.print(f"state folder: {home}", style="dim", highlight=False)
    if implicit and not create and not (home / DATABASE_FILE).is_file():
        fail(
            f"no Tremplin database in {home}: run `tremplin init` to create one there, "
            "run from the project folder, or set TREMPLIN_HOME to the state folder"
        )
    settings.ensure_home()
    return settings


def open_store(migrate: bool = True, create: bool = False) -> Store:
    store = Store(state_settings(create))
    if migrate:
        store.migrate()
    return store


def fail(message: str, code: int = 1) -> NoReturn:
    """Exit non-zero with a one-line cause, as the design notes ask of every CLI error."""
    err_console.print(f"[bold red]error:[/] {message}", highlight=False, soft_wrap=True)
    raise typer.Exit(code)


def print_json(data: Any) -> None:
    typer.echo(json.dumps(data, ensure_ascii=False, indent=2, default=str))
