"""`python -m matcher.cli`: the same as the `tremplin` command."""

from matcher.cli.main import app

app()
