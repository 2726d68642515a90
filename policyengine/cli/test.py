"""policyengine test [PATH...]: run policy unit tests (*.test.yaml) and report rule coverage."""

from __future__ import annotations

import click

from .common import FiniteFloat


@click.command("test")
@click.argument("paths", nargs=-1, type=click.Path())
@click.option("--fail-under", "fail_under", type=FiniteFloat(0, 100), default=None,
              metavar="PCT", help="Fail (exit 1) when rule coverage is under PCT percent.")
@click.option("--junit", "junit", type=click.Path(dir_okay=False, allow_dash=True),
              default=None, metavar="FILE", help="Also write the results as JUnit XML.")
@click.option("-v", "--verbose", is_flag=True, help="List passing cases too.")
@click.pass_context
def test_command(ctx: click.Context, paths: tuple[str, ...], fail_under: float | None,
                 junit: str | None, verbose: bool) -> None:
    """Run the policy tests in PATHS (files, or folders searched for *.test.yaml; default:
    the current folder). Each case decides a dispute as of a fixed date and compares the
    decision with what it expects; rule coverage shows which categories, bands, overrides and
    remedies the cases exercised.

    Exit 0 when every case passes (and coverage meets --fail-under), 1 when a case fails or
    coverage is under the bar, 2 when a path is missing, no test file is found, or a test
    file (or the policy it tests) has errors."""
    from ..policytest import run_tests
    from ..render import policytest_text

    run = run_tests(paths or (".",))
    if not run.files and not run.missing:
        click.echo("policyengine: error: no policy tests (*.test.yaml) found in "
                   + ", ".join(paths or (".",)), err=True)
        ctx.exit(2)
    click.echo(policytest_text.render(run, fail_under=fail_under, verbose=verbose), nl=False)
    if junit is not None:
        from ..render import policytest_junit
        from .common import write_output

        write_output(ctx, policytest_junit.render(run), junit, inputs=tuple(f.path for f in run.files))
    if run.missing or run.broken:
        ctx.exit(2)
    if run.failed or (fail_under is not None and run.percent + 1e-9 < fail_under):
        ctx.exit(1)
    ctx.exit(0)
