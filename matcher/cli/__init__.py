"""The `tremplin` command line: one Typer app, one module per group of commands."""

from matcher.cli.main import app

__all__ = ["app"]
