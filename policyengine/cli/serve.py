"""policyengine serve (the decision service) and policyengine serve token add|list|revoke."""

from __future__ import annotations

import os
from typing import Any

import click

from ..service.tokens import DEFAULT_TOKENS_FILE

tokens_option = click.option(
    "--tokens", "tokens_path", type=click.Path(dir_okay=False), default=DEFAULT_TOKENS_FILE,
    envvar="POLICYENGINE_TOKENS", show_default=True,
    help="The tokens file (hashes only; env POLICYENGINE_TOKENS).")


def _fail(ctx: click.Context, message: str) -> None:
    click.echo(f"policyengine: error: {message}", err=True)
    ctx.exit(2)


@click.group("serve", invoke_without_command=True)
@click.option("--policies", type=click.Path(file_okay=False), default=None, metavar="DIR",
              help="The folder of rulebooks to serve (watched: changed rulebooks are reloaded "
                   "when they lint clean).")
@click.option("--db", default=None, metavar="URL",
              help="The ledger (decision log) database: a SQLite path or "
                   "postgresql+psycopg://USER@HOST:PORT/DB; default: POLICYENGINE_DB, else "
                   "policyengine-ledger.db here. Created or migrated at start.")
@tokens_option
@click.option("--host", default="127.0.0.1", show_default=True,
              help="The address to listen on (loopback unless told otherwise).")
@click.option("--port", type=click.IntRange(0, 65535), default=8181, show_default=True)
@click.option("--workers", type=click.IntRange(min=1), default=1, show_default=True,
              help="Worker processes (each loads the policies; they share the ledger).")
@click.option("--no-auth", is_flag=True,
              help="No tokens (local development only: refused unless --host is loopback).")
@click.option("--no-watch", is_flag=True, help="Do not reload rulebooks when they change.")
@click.option("--max-body-bytes", type=click.IntRange(min=1), default=1024 * 1024,
              show_default=True, help="Refuse request bodies (and batch lines) over this (413).")
@click.option("--max-batch-lines", type=click.IntRange(min=1), default=100_000,
              show_default=True, help="Lines one batch request may hold.")
@click.option("--log-level", type=click.Choice(["debug", "info", "warning", "error"]),
              default="info", show_default=True)
@click.option("--access-log/--no-access-log", default=True, show_default=True,
              help="Log one line per request (method, path, status; never headers).")
@click.option("--shutdown-timeout", type=click.FloatRange(min=0), default=30.0,
              show_default=True, metavar="SECONDS",
              help="On SIGTERM, how long requests in flight may take to finish.")
@click.pass_context
def serve_command(ctx: click.Context, policies: str | None, db: str | None, tokens_path: str,
                  host: str, port: int, workers: int, no_auth: bool, no_watch: bool,
                  max_body_bytes: int, max_batch_lines: int, log_level: str,
                  access_log: bool, shutdown_timeout: float) -> None:
    """Serve decisions over HTTP (see docs/service.md).

    \b
    policyengine serve token add deal-desk --scope decide,read
    policyengine serve --policies policies/
    """
    if ctx.invoked_subcommand is not None:
        return
    if policies is None:
        _fail(ctx, "give the folder of rulebooks with --policies DIR")
    assert policies is not None
    if not os.path.isdir(policies):
        _fail(ctx, f"no such folder: {policies}")
    from ..service.server import is_loopback

    if no_auth and not is_loopback(host):
        _fail(ctx, f"--no-auth is for local development only: it is refused with --host "
                   f"{host}; create tokens with `policyengine serve token add`")
    from ..service.app import ServiceConfig, create_app
    from ..service.tokens import TokenError

    config = ServiceConfig(policies=policies, db=db, tokens=None if no_auth else
                           os.path.abspath(tokens_path), no_auth=no_auth,
                           watch=not no_watch, max_body_bytes=max_body_bytes,
                           max_batch_lines=max_batch_lines)
    try:
        app: Any = create_app(config)  # opens the ledger and reads the tokens: fail early
    except TokenError as exc:
        _fail(ctx, f"{exc} (or use --no-auth on a loopback --host for local development)")
    except Exception as exc:
        from ..ledger import LedgerError

        if isinstance(exc, LedgerError):
            _fail(ctx, f"cannot open the ledger: {exc}")
        raise
    from ..service.server import run

    run(config, host=host, port=port, workers=workers, log_level=log_level,
        access_log=access_log, shutdown_timeout=shutdown_timeout,
        app=app if workers == 1 else None)


@serve_command.group("token")
def token_group() -> None:
    """Manage the service's bearer tokens (only their hashes are stored)."""


@token_group.command("add")
@click.argument("name")
@click.option("--scope", "scopes", default="decide,read", show_default=True,
              metavar="SCOPES", help="Comma-separated: decide, read, ledger.")
@tokens_option
@click.pass_context
def token_add(ctx: click.Context, name: str, scopes: str, tokens_path: str) -> None:
    """Create a token NAME and print it (once: it is not stored, only its hash)."""
    from ..service.tokens import TokenError, TokenStore, parse_scopes

    try:
        store = TokenStore.read(tokens_path, missing_ok=True)
        store, token = store.add(name, parse_scopes(scopes))
        store.write(tokens_path)
    except TokenError as exc:
        _fail(ctx, str(exc))
    except OSError as exc:
        _fail(ctx, f"cannot write {tokens_path}: {exc.strerror or exc}")
    click.echo(token)
    click.echo(f"token `{name}` ({scopes}) added to {tokens_path}; it is shown only now: "
               f"keep it in your secret store", err=True)


@token_group.command("list")
@tokens_option
@click.pass_context
def token_list(ctx: click.Context, tokens_path: str) -> None:
    """List the tokens: name, scopes, created (never the token)."""
    from ..service.tokens import TokenError, TokenStore

    try:
        store = TokenStore.read(tokens_path)
    except TokenError as exc:
        _fail(ctx, str(exc))
    for r in store.records:
        click.echo(f"{r.name}\t{','.join(r.scopes)}\t{r.created}")


@token_group.command("revoke")
@click.argument("name")
@tokens_option
@click.pass_context
def token_revoke(ctx: click.Context, name: str, tokens_path: str) -> None:
    """Remove the token NAME (a running service stops accepting it within a second)."""
    from ..service.tokens import TokenError, TokenStore

    try:
        store = TokenStore.read(tokens_path).revoke(name)
        store.write(tokens_path)
    except TokenError as exc:
        _fail(ctx, str(exc))
    except OSError as exc:
        _fail(ctx, f"cannot write {tokens_path}: {exc.strerror or exc}")
    click.echo(f"token `{name}` revoked", err=True)
