"""policyengine ledger ...: the dispute ledger's commands (thin: parse, call Ledger, render).

Exit codes: 0 done, 1 a refused decision or a ledger that fails ``verify``, 2 bad input (an
unknown id, a date before the last event, an unreadable file, an unusable database, ...).
"""

from __future__ import annotations

import datetime as _dt
import json
import sys
from typing import Any, Callable

import click

from .common import DATE, write_output

_db_option = click.option(
    "--db", "db", default=None, metavar="URL",
    help="The ledger: a file path (SQLite) or postgresql+psycopg://USER@HOST:PORT/DB "
         "(default: $POLICYENGINE_DB, else ./policyengine-ledger.db).")
_actor_option = click.option("--actor", default=None, metavar="NAME",
                             help="Who records this (default: $POLICYENGINE_ACTOR, else the "
                                  "user name).")
_reveal_option = click.option("--reveal", is_flag=True, default=False,
                              help="Show restricted categories and sensitive facts unmasked.")


def _fail(ctx: click.Context, exc: Any) -> None:
    click.echo(f"policyengine: error: {exc.message} [{exc.code}]", err=True)
    if exc.hint:
        click.echo(f"  hint: {exc.hint}", err=True)
    ctx.exit(2)


def _run(ctx: click.Context, db: str | None, fn: Callable[[Any], Any]) -> Any:
    """Open the ledger, run ``fn``, turn LedgerError into exit 2 and a refusal into exit 1."""
    from ..core.errors import DisputeError
    from ..ledger import Ledger, LedgerError

    url = db if db is not None else (ctx.parent.params.get("db") if ctx.parent else None)
    try:
        with Ledger(url, source="cli") as ledger:
            return fn(ledger)
    except LedgerError as exc:
        _fail(ctx, exc)
    except DisputeError as exc:
        from ..render.decision_text import refusal_data

        click.echo(json.dumps(refusal_data(exc), indent=2, ensure_ascii=False))
        click.echo(f"policyengine: the dispute was refused: {exc}", err=True)
        ctx.exit(1)


def _read_json(ctx: click.Context, path: str, what: str) -> Any:
    try:
        if path == "-":
            text, name = sys.stdin.read(), "<stdin>"
        else:
            with open(path, encoding="utf-8") as fh:
                text, name = fh.read(), path
    except (OSError, UnicodeDecodeError) as exc:
        click.echo(f"policyengine: error: cannot read {what} {path}: "
                   f"{getattr(exc, 'strerror', None) or exc}", err=True)
        ctx.exit(2)
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        click.echo(f"policyengine: error: {name}:{exc.lineno}:{exc.colno}: not valid JSON: "
                   f"{exc.msg}", err=True)
        ctx.exit(2)
    except RecursionError:
        click.echo(f"policyengine: error: {name}: the JSON nests too deeply", err=True)
        ctx.exit(2)
    if not isinstance(data, dict):
        click.echo(f"policyengine: error: {name}: {what} must be a JSON object", err=True)
        ctx.exit(2)
    return data


def _read_text(ctx: click.Context, path: str, what: str) -> str:
    try:
        with open(path, encoding="utf-8") as fh:
            return fh.read()
    except (OSError, UnicodeDecodeError) as exc:
        click.echo(f"policyengine: error: cannot read {what} {path}: "
                   f"{getattr(exc, 'strerror', None) or exc}", err=True)
        ctx.exit(2)
        raise AssertionError  # unreachable


def _echo_decision(result: Any, fmt: str) -> None:
    if fmt == "json":
        click.echo(json.dumps(result.decision, indent=2, ensure_ascii=False))
    else:
        from ..render.decision_text import render_decision

        click.echo(f"Dispute {result.dispute_id}: decision recorded (event {result.event.n}).")
        click.echo(render_decision(result.result), nl=False)


def _echo_event(event: Any, fmt: str) -> None:
    if fmt == "json":
        click.echo(json.dumps(event.to_dict(), indent=2, ensure_ascii=False))
    else:
        from ..render.ledger import event_line

        click.echo(event_line(event))


_fmt_option = click.option("--format", "fmt", type=click.Choice(["json", "text"]),
                           default="json", show_default=True, help="Output format.")


@click.group("ledger")
@_db_option
def ledger_command(db: str | None) -> None:
    """The dispute ledger: record disputes, their decisions and remedies, and what comes due.

    Every command is one transaction. See docs/ledger.md."""


@ledger_command.command("init")
@_db_option
@click.pass_context
def init_command(ctx: click.Context, db: str | None) -> None:
    """Create the ledger's schema, or migrate it to this version."""
    from ..ledger.engine import display_url

    def go(ledger: Any) -> None:
        rev = ledger.init()
        click.echo(f"ledger ready at {display_url(ledger.url)} (schema revision {rev})")

    _run(ctx, db, go)


@ledger_command.command("open")
@click.argument("policy", type=click.Path())
@click.argument("dispute", metavar="DISPUTE.json")
@click.option("--id", "dispute_id", required=True, help="The dispute's id (yours).")
@click.option("--on", "on", type=DATE, required=True, help="The opening date.")
@_actor_option
@_fmt_option
@_db_option
@click.pass_context
def open_command(ctx: click.Context, policy: str, dispute: str, dispute_id: str,
                 on: _dt.date, actor: str | None, fmt: str, db: str | None) -> None:
    """Open a dispute under POLICY (a rulebook, or a folder of its versions: the one in force
    on --on is pinned) and print its first decision."""
    facts = _read_json(ctx, dispute, "the dispute")
    result = _run(ctx, db, lambda lg: lg.open(dispute_id, policy, facts, on=on, actor=actor))
    _echo_decision(result, fmt)


@ledger_command.command("decide")
@click.argument("dispute_id", metavar="ID")
@click.option("--on", "on", type=DATE, required=True, help="The decision date.")
@click.option("--facts", "changes", default=None, metavar="CHANGES.json",
              help="Fact changes first (a JSON merge patch: null removes a fact).")
@_actor_option
@_fmt_option
@_db_option
@click.pass_context
def decide_command(ctx: click.Context, dispute_id: str, on: _dt.date, changes: str | None,
                   actor: str | None, fmt: str, db: str | None) -> None:
    """Decide the dispute again from its history and print the decision."""
    patch = _read_json(ctx, changes, "the fact changes") if changes is not None else None
    result = _run(ctx, db, lambda lg: lg.decide(dispute_id, on=on, facts=patch, actor=actor))
    _echo_decision(result, fmt)


@ledger_command.command("grant")
@click.argument("dispute_id", metavar="ID")
@click.argument("remedy")
@click.option("--on", "on", type=DATE, required=True, help="The day it is granted.")
@_actor_option
@_fmt_option
@_db_option
@click.pass_context
def grant_command(ctx: click.Context, dispute_id: str, remedy: str, on: _dt.date,
                  actor: str | None, fmt: str, db: str | None) -> None:
    """Record that REMEDY (required by the last decision) was granted."""
    _echo_event(_run(ctx, db, lambda lg: lg.grant(dispute_id, remedy, on=on, actor=actor)), fmt)


@ledger_command.command("review")
@click.argument("dispute_id", metavar="ID")
@click.argument("remedy")
@click.option("--on", "on", type=DATE, required=True, help="The day it was reviewed.")
@_actor_option
@_fmt_option
@_db_option
@click.pass_context
def review_command(ctx: click.Context, dispute_id: str, remedy: str, on: _dt.date,
                   actor: str | None, fmt: str, db: str | None) -> None:
    """Record the review of a remedy in force."""
    _echo_event(_run(ctx, db, lambda lg: lg.review(dispute_id, remedy, on=on, actor=actor)),
                fmt)


@ledger_command.command("resolve")
@click.argument("dispute_id", metavar="ID")
@click.option("--on", "on", type=DATE, required=True, help="The resolution date.")
@click.option("--outcome", required=True, help="The outcome, in words.")
@click.option("--memo", "memo", default=None, type=click.Path(dir_okay=False),
              help="A resolution memo (Markdown) to archive with it.")
@_actor_option
@_fmt_option
@_db_option
@click.pass_context
def resolve_command(ctx: click.Context, dispute_id: str, on: _dt.date, outcome: str,
                    memo: str | None, actor: str | None, fmt: str, db: str | None) -> None:
    """Record the dispute's resolution (and archive its memo)."""
    text = _read_text(ctx, memo, "the memo") if memo is not None else None
    _echo_event(_run(ctx, db, lambda lg: lg.resolve(dispute_id, on=on, outcome=outcome,
                                                    memo=text, actor=actor)), fmt)


@ledger_command.command("reopen")
@click.argument("dispute_id", metavar="ID")
@click.option("--on", "on", type=DATE, required=True, help="The day it is reopened.")
@click.option("--reason", required=True, help="Why it is reopened.")
@_actor_option
@_fmt_option
@_db_option
@click.pass_context
def reopen_command(ctx: click.Context, dispute_id: str, on: _dt.date, reason: str,
                   actor: str | None, fmt: str, db: str | None) -> None:
    """Reopen a resolved dispute and print its new decision."""
    _echo_decision(_run(ctx, db, lambda lg: lg.reopen(dispute_id, on=on, reason=reason,
                                                      actor=actor)), fmt)


@ledger_command.command("repin")
@click.argument("dispute_id", metavar="ID")
@click.option("--to", "to", required=True, metavar="VERSION",
              help="A recorded version of the dispute's policy (its version or digest).")
@click.option("--reason", required=True, help="Why the dispute moves to that version.")
@click.option("--on", "on", type=DATE, default=None, help="The day (default: today).")
@click.option("--policy", "policy", type=click.Path(), default=None,
              help="Record the versions in this rulebook or folder first.")
@_actor_option
@_fmt_option
@_db_option
@click.pass_context
def repin_command(ctx: click.Context, dispute_id: str, to: str, reason: str,
                  on: _dt.date | None, policy: str | None, actor: str | None, fmt: str,
                  db: str | None) -> None:
    """Pin the dispute to another version of its policy."""
    _echo_event(_run(ctx, db, lambda lg: lg.repin(dispute_id, to=to, reason=reason, on=on,
                                                   policy=policy, actor=actor)), fmt)


@ledger_command.command("add")
@click.argument("policy", type=click.Path())
@_db_option
@click.pass_context
def add_command(ctx: click.Context, policy: str, db: str | None) -> None:
    """Record the versions in POLICY (a rulebook or a folder) without opening a dispute."""
    for v in _run(ctx, db, lambda lg: lg.add_policy(policy)):
        click.echo(f"{v.policy_id} {v.version} {v.digest} (in force from {v.effective}"
                   + (f" to {v.expires})" if v.expires else ")"))


@ledger_command.command("versions")
@click.option("--policy", "policy_id", default=None, help="Only this policy id.")
@_fmt_option
@_db_option
@click.pass_context
def versions_command(ctx: click.Context, policy_id: str | None, fmt: str, db: str | None
                     ) -> None:
    """The policy versions the ledger holds."""
    rows = _run(ctx, db, lambda lg: lg.policies(policy_id))
    if fmt == "json":
        click.echo(json.dumps([v.to_dict() for v in rows], indent=2, ensure_ascii=False))
        return
    for v in rows:
        click.echo(f"{v.policy_id} {v.version} {v.digest} {v.effective}.."
                   f"{v.expires or ''} {v.source_name}")


@ledger_command.command("show")
@click.argument("dispute_id", metavar="ID")
@click.option("--format", "fmt", type=click.Choice(["json", "text", "memo"]), default="text",
              show_default=True, help="Output format.")
@_reveal_option
@_db_option
@click.pass_context
def show_command(ctx: click.Context, dispute_id: str, fmt: str, reveal: bool, db: str | None
                 ) -> None:
    """The dispute's history: every event, each decision with its trace."""
    from ..render import ledger as render

    def go(lg: Any) -> str:
        history = lg.show(dispute_id, reveal=reveal)
        if fmt == "json":
            return json.dumps(history.to_dict(), indent=2, ensure_ascii=False) + "\n"
        if fmt == "text":
            return render.history_text(history)
        policy, dispute, decision = lg.replay_last(dispute_id)
        return render.history_memo(policy, dispute, decision, history, reveal=reveal)

    click.echo(_run(ctx, db, go), nl=False)


@ledger_command.command("due")
@click.option("--on", "on", type=DATE, required=True, help="Today's date.")
@click.option("--within", type=click.IntRange(min=0, max=3650), default=0, show_default=True,
              help="Also what falls due within N days.")
@click.option("--format", "fmt", type=click.Choice(["json", "text"]), default="text",
              show_default=True, help="Output format.")
@_db_option
@click.pass_context
def due_command(ctx: click.Context, on: _dt.date, within: int, fmt: str, db: str | None) -> None:
    """The morning reminder list: deadlines passed or coming, remedy reviews and sunsets."""
    from ..render import ledger as render

    items = _run(ctx, db, lambda lg: lg.due(on=on, within=within))
    if fmt == "json":
        click.echo(json.dumps([i.to_dict() for i in items], indent=2, ensure_ascii=False))
    else:
        click.echo(render.due_text(items, on, within), nl=False)


@ledger_command.command("metrics")
@click.option("--from", "from_", type=DATE, default=None, help="Disputes opened on or after.")
@click.option("--to", "to", type=DATE, default=None, help="Disputes opened on or before.")
@click.option("--by", "by", default="category", show_default=True, metavar="category|level|FACT",
              help="Group by category, level, or a fact path (e.g. partner.tier).")
@click.option("--policy", "policy_id", default=None, help="Only disputes of this policy id.")
@click.option("--format", "fmt", type=click.Choice(["json", "text", "html"]), default="text",
              show_default=True, help="Output format (html: a report with charts).")
@click.option("--output", "output", default=None, type=click.Path(dir_okay=False),
              help="Write the report to this file instead of stdout.")
@_reveal_option
@_db_option
@click.pass_context
def metrics_command(ctx: click.Context, from_: _dt.date | None, to: _dt.date | None, by: str,
                    policy_id: str | None, fmt: str, output: str | None, reveal: bool,
                    db: str | None) -> None:
    """How the protocol performs: counts, time to resolution, breaches, escalation,
    recurrence."""
    from ..render import ledger as render

    report = _run(ctx, db, lambda lg: lg.metrics(from_=from_, to=to, by=by,
                                                 policy_id=policy_id, reveal=reveal))
    if fmt == "json":
        text = json.dumps(report, indent=2, ensure_ascii=False) + "\n"
    elif fmt == "html":
        text = render.metrics_html(report)
    else:
        text = render.metrics_text(report)
    write_output(ctx, text, output)


@ledger_command.command("export")
@click.option("--format", "fmt", type=click.Choice(["jsonl"]), default="jsonl",
              show_default=True, help="Output format: one dispute per line, as diff --replay "
                                      "reads them.")
@click.option("--policy", "policy_id", default=None, help="Only disputes of this policy id.")
@click.option("--since", type=DATE, default=None, help="Only decisions made on or after.")
@click.option("--output", "output", default=None, type=click.Path(dir_okay=False),
              help="Write to this file instead of stdout.")
@_reveal_option
@_db_option
@click.pass_context
def export_command(ctx: click.Context, fmt: str, policy_id: str | None,
                   since: _dt.date | None, output: str | None, reveal: bool, db: str | None
                   ) -> None:
    """Every recorded decision's input, for `policyengine diff OLD NEW --replay`."""
    lines = _run(ctx, db, lambda lg: list(lg.export(reveal=reveal, policy_id=policy_id,
                                                    since=since)))
    text = "".join(json.dumps(x, ensure_ascii=False, sort_keys=True) + "\n" for x in lines)
    write_output(ctx, text, output)


@ledger_command.command("verify")
@click.option("--format", "fmt", type=click.Choice(["json", "text"]), default="text",
              show_default=True, help="Output format.")
@_db_option
@click.pass_context
def verify_command(ctx: click.Context, fmt: str, db: str | None) -> None:
    """Check every dispute's hash chain and recorded state; exit 1 on any problem."""
    report = _run(ctx, db, lambda lg: lg.verify())
    if fmt == "json":
        click.echo(json.dumps(report.to_dict(), indent=2, ensure_ascii=False))
    else:
        for p in report.problems:
            click.echo(p)
        click.echo(f"{report.disputes} dispute(s), {report.events} event(s): "
                   + ("every chain holds" if report.ok else f"{len(report.problems)} problem(s)"))
    ctx.exit(0 if report.ok else 1)


@ledger_command.command("log")
@click.option("--since", default=None, metavar="DATE|TIMESTAMP",
              help="Entries at or after this UTC date or ISO timestamp.")
@click.option("--policy", "policy_id", default=None, help="Only this policy id.")
@click.option("--limit", type=click.IntRange(min=0), default=None, help="At most N entries.")
@click.option("--format", "fmt", type=click.Choice(["json", "text"]), default="text",
              show_default=True, help="Output format (json: one entry per line).")
@_db_option
@click.pass_context
def log_command(ctx: click.Context, since: str | None, policy_id: str | None,
                limit: int | None, fmt: str, db: str | None) -> None:
    """The decision log: every decision and refusal, by the ledger and the service."""
    from ..render import ledger as render

    moment = None
    if since is not None:
        try:
            moment = _dt.datetime.fromisoformat(since.replace("Z", "+00:00"))
        except ValueError:
            raise click.BadParameter(f"'{since}' is not a date or ISO timestamp",
                                     param_hint="--since") from None
        if moment.tzinfo is None:
            moment = moment.replace(tzinfo=_dt.timezone.utc)
    entries = _run(ctx, db, lambda lg: lg.decision_log(since=moment, policy_id=policy_id,
                                                       limit=limit))
    if fmt == "json":
        for e in entries:
            click.echo(json.dumps(e.to_dict(), ensure_ascii=False, sort_keys=True))
    else:
        click.echo(render.log_text(entries), nl=False)
