"""policyengine init [DIR]: scaffold a policy repository."""

from __future__ import annotations

import click


@click.command("init")
@click.argument("directory", required=False, default=".", type=click.Path(file_okay=False))
@click.option("--id", "policy_id", default="channel-conflict", show_default=True,
              help="The policy's id, also the rulebook's file name.")
@click.pass_context
def init_command(ctx: click.Context, directory: str, policy_id: str) -> None:
    """Start a policy repository in DIRECTORY (default: here): a starter rulebook with
    comments, its policy test, the JSON Schemas beside them, an example dispute, a pre-commit
    configuration and a CI workflow. Refuses to overwrite any file (nothing is written then)."""
    from ..core.version import __version__
    from ..scaffold import ScaffoldError, scaffold_files, write_scaffold

    try:
        files = scaffold_files(policy_id, version=__version__)
        write_scaffold(directory, files)
    except ScaffoldError as exc:
        click.echo(f"policyengine: error: {exc}".replace("`", "'"), err=True)
        ctx.exit(2)
    width = max(len(f.path) for f in files)
    click.echo(f"wrote {len(files)} files in {directory}:")
    for f in files:
        click.echo(f"  {f.path:<{width}}  {f.what}")
    rulebook = f"policies/{policy_id}.yaml"
    click.echo("next:")
    click.echo("  policyengine lint --strict policies/")
    click.echo("  policyengine test policies/")
    click.echo(f"  policyengine evaluate {rulebook} examples/{policy_id}--pricing.json "
               "--format text")
    click.echo(f"  policyengine render {rulebook} --format md")
