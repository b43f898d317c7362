"""`tremplin keys create|list|revoke`: API keys for staff, buyers and startups."""

from __future__ import annotations

import typer
from rich.table import Table

from matcher.cli.common import console, err_console, fail, open_store, print_json
from matcher.errors import TremplinError
from matcher.store import keys

keys_app = typer.Typer(help="API keys: create (shown once), list, revoke.", no_args_is_help=True)


def _when(value: object) -> str:
    return value.isoformat(timespec="seconds") if hasattr(value, "isoformat") else ""


@keys_app.command("create")
def create(
    role: keys.Role = typer.Option(..., "--role", help="staff, buyer or startup."),
    startup_id: str | None = typer.Option(None, "--startup-id", help="The startup a startup key belongs to."),
    buyer_id: str | None = typer.Option(None, "--buyer-id", help="The buyer a buyer key belongs to."),
    name: str | None = typer.Option(None, "--name", help="Who or what the key is for."),
    if_missing: bool = typer.Option(
        False, "--if-missing", help="Create nothing when an active key of this role and name exists (make demo)."
    ),
    as_json: bool = typer.Option(False, "--json", help="Print JSON for scripts."),
) -> None:
    """Create a key and print it once: only its hash is stored."""
    store = open_store()
    if if_missing:
        with store.session() as session:
            existing = [
                row.prefix
                for row in keys.list_keys(session, include_revoked=False)
                if row.role == role.value and row.name == name
            ]
        if existing:
            console.print(
                f"A {role.value} key named {name!r} already exists (prefix {existing[-1]}); its secret was shown "
                "once, when it was made. To get a new one:\n"
                f"  tremplin keys revoke {existing[-1]} && "
                f"tremplin keys create --role {role.value}{f' --name {name}' if name else ''}",
                highlight=False,
                soft_wrap=True,
            )
            return
    try:
        with store.session() as session:
            row, raw_key = keys.create_key(session, role, name=name, startup_id=startup_id, buyer_id=buyer_id)
            prefix, created_at = row.prefix, row.created_at
    except TremplinError as exc:
        fail(str(exc))
    if as_json:
        print_json(
            {
                "key": raw_key,
                "prefix": prefix,
                "role": role.value,
                "name": name,
                "startup_id": startup_id,
                "buyer_id": buyer_id,
                "created_at": _when(created_at),
            }
        )
        return
    typer.echo(raw_key)
    err_console.print(
        f"{role.value} key {prefix} created; copy it now, it is not shown again.", highlight=False, style="dim"
    )


@keys_app.command("list")
def list_(
    include_revoked: bool = typer.Option(True, "--all/--active", help="Include revoked keys (default) or not."),
    as_json: bool = typer.Option(False, "--json", help="Print JSON for scripts."),
) -> None:
    """Prefixes, roles and owners of the keys (never the keys themselves)."""
    store = open_store()
    with store.session() as session:
        rows = []
        for key in keys.list_keys(session, include_revoked=include_revoked):
            startup, buyer = keys.bound_ids(session, key)
            rows.append(
                {
                    "prefix": key.prefix,
                    "role": key.role,
                    "name": key.name,
                    "startup_id": startup,
                    "buyer_id": buyer,
                    "created_at": _when(key.created_at),
                    "last_used_at": _when(key.last_used_at),
                    "revoked_at": _when(key.revoked_at),
                }
            )
    if as_json:
        print_json(rows)
        return
    table = Table(title=f"API keys ({len(rows)})")
    # The prefix is what `keys revoke` needs: never cut it (nor the id it is bound to).
    table.add_column("prefix", no_wrap=True, min_width=max([6, *(len(str(row["prefix"])) for row in rows)]))
    table.add_column("role", no_wrap=True)
    table.add_column("name", overflow="fold")
    bound_ids = [str(row["startup_id"] or row["buyer_id"] or "") for row in rows]
    table.add_column("bound to", no_wrap=True, min_width=max([1, *map(len, bound_ids)]))
    for column in ("created", "last used"):
        table.add_column(column, overflow="fold")
    for row in rows:
        bound = row["startup_id"] or row["buyer_id"] or ""
        table.add_row(
            row["prefix"],
            str(row["role"]) + (f"\nrevoked\n{str(row['revoked_at'])[:10]}" if row["revoked_at"] else ""),
            row["name"] or "",
            bound,
            str(row["created_at"])[:10],  # the day is enough here; --json has the time
            str(row["last_used_at"])[:10],
        )
    console.print(table)


@keys_app.command("revoke")
def revoke(prefix: str = typer.Argument(..., help="The key's prefix (as in `keys list`, or tpl_<prefix>_…).")) -> None:
    """Revoke a key at once; revoking twice is harmless."""
    parts = keys.split_key(prefix)
    prefix = parts[0] if parts else prefix.removeprefix("tpl_").split("_", 1)[0]
    store = open_store()
    try:
        with store.session() as session:
            row = keys.revoke_key(session, prefix)
            revoked_at = row.revoked_at
    except TremplinError as exc:
        fail(str(exc))
    console.print(f"key {prefix} revoked at {_when(revoked_at)}", highlight=False)


def register(app: typer.Typer) -> None:
    app.add_typer(keys_app, name="keys")
