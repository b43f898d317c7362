"""Helpers shared by CLI commands: the store, JSON output and one-line failures."""

from __future__ import annotations

import json
from typing import Any, NoReturn

import typer
from rich.console import Console

from matcher.settings import get_settings
from matcher.store import Store

console = Console()
err_console = Console(stderr=True)


def open_store(migrate: bool = True) -> Store:
    settings = get_settings()
    settings.ensure_home()
    store = Store(settings)
    if migrate:
        store.migrate()
    return store


def fail(message: str, code: int = 1) -> NoReturn:
    """Exit non-zero with a one-line cause, as the design notes ask of every CLI error."""
    err_console.print(f"[bold red]error:[/] {message}", highlight=False, soft_wrap=True)
    raise typer.Exit(code)


def print_json(data: Any) -> None:
    typer.echo(json.dumps(data, ensure_ascii=False, indent=2, default=str))
