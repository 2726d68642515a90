"""The console script's entry (``policyengine``, ``python -m policyengine.cli``): help pages
without click.

Importing click costs about four times Python's own start-up, so ``policyengine --help`` could
never start in under twice ``python -c pass`` if it imported click. The help pages are a
function of the command tree alone, so they are rendered through click ahead of time
(``static_help.py``; committed as ``_help_pages.py``) and this module, which imports only
``os`` and ``sys``, writes the page click would write, byte for byte, with click's exit code.
It answers only where that is provably click's answer (docs/design.md, "A fast path answers
only where it is provably the reference"):

* the arguments are exactly a help request of the table: ``[COMMAND...] --help`` or ``-h``
  (the names click accepts on that command), or a group alone where click shows its help
  (``policyengine``, ``policyengine ledger``: on standard error, exit 2);
* the installed click is the version that rendered the pages;
* no message catalogue can translate click's words (gettext's domain ``messages``);
* the terminal width click would read is known (``COLUMNS``, else the terminal of standard
  output, else 80 columns), and no shell completion is asked for (``_POLICYENGINE_COMPLETE``);
* not on Windows (click expands wildcards and writes to the console its own way there).

Everything else goes to click, as before: :func:`policyengine.cli.main.main`.
``tests/cli/test_static_help.py`` compares the two, bytes and exit code, for every page and
many widths; ``tests/unit/test_startup_imports.py`` pins that ``--help`` imports no click.
"""

from __future__ import annotations

import os
import sys

TYPE_CHECKING = False
if TYPE_CHECKING:  # pragma: no cover - annotations only; typing costs start-up time
    from collections.abc import Mapping, Sequence

#: the variable that turns click's shell completion on for ``prog_name="policyengine"``
COMPLETE_VAR = "_POLICYENGINE_COMPLETE"


def main(argv: list[str] | None = None) -> None:
    """Entry point: the static page of a help request, else the click command line."""
    answer = static_answer(sys.argv[1:] if argv is None else argv, os.environ)
    if answer is None:
        from .main import main as click_main

        click_main(argv)
        return
    fd, text, code = answer
    sys.exit(_write(fd, text, code))


def static_answer(args: Sequence[str], environ: Mapping[str, str]
                  ) -> tuple[int, str, int] | None:
    """``(descriptor, text, exit code)`` of what click would answer to ``args``, when that is
    a stored help page and nothing could make click's answer differ; else None."""
    if os.name == "nt" or environ.get(COMPLETE_VAR):
        return None
    from . import _help_pages as pages

    entry = pages.PAGES.get(tuple(args))
    if entry is None or click_version() != pages.CLICK:
        return None
    if not untranslated(environ, os.path.join(sys.base_prefix, "share", "locale")):
        return None
    columns = terminal_columns(environ)
    if columns is None:
        return None
    low, high = pages.COLUMNS
    fd, code, index, blob = entry
    try:
        import zlib
    except ImportError:  # pragma: no cover - a Python built without zlib
        return None
    variants = zlib.decompress(blob).decode("ascii").split("\0")
    return fd, variants[index[min(max(columns, low), high) - low]], code


def terminal_columns(environ: Mapping[str, str]) -> int | None:
    """The columns ``shutil.get_terminal_size()`` gives click's help formatter: ``COLUMNS``
    when it is a positive integer, else the size of the terminal on ``sys.__stdout__``, else
    80. None where Python versions differ (a terminal that reports 0 columns)."""
    try:
        columns = int(environ["COLUMNS"])
    except (KeyError, ValueError):
        columns = 0
    if columns > 0:
        return columns
    stdout = sys.__stdout__
    try:
        if stdout is None:
            raise AttributeError("no standard output")
        columns = os.get_terminal_size(stdout.fileno()).columns
    except (AttributeError, ValueError, OSError):  # what shutil catches: then 80
        return 80
    return columns if columns > 0 else None


def untranslated(environ: Mapping[str, str], localedir: str) -> bool:
    """True when ``gettext`` finds no catalogue of the domain ``messages`` (click's words stay
    English); gettext itself decides where a cheaper proof is not at hand.

    gettext reads the first of ``LANGUAGE``, ``LC_ALL``, ``LC_MESSAGES`` and ``LANG`` that is
    set, and stops at the language ``C``: none set, or a first language ``C`` or ``POSIX``,
    consults no file. Otherwise it tries ``LOCALEDIR/NAME/LC_MESSAGES/messages.mo`` for names
    made from the value (a plain name, so a child of LOCALEDIR): when no child of LOCALEDIR
    holds that file, no name can find one."""
    value = ""
    for name in ("LANGUAGE", "LC_ALL", "LC_MESSAGES", "LANG"):
        value = environ.get(name, "")
        if value:
            break
    if not value:
        return True
    languages = value.split(":")
    if languages[0] in ("C", "POSIX"):
        return True
    plain = all(lang and lang[0] != "." and all(c.isalnum() or c in "_.@-" for c in lang)
                for lang in languages)
    if plain:
        try:
            children = os.listdir(localedir)
        except FileNotFoundError:
            return True
        except OSError:
            children = None
        if children is not None and not any(
                os.path.exists(os.path.join(localedir, child, "LC_MESSAGES", "messages.mo"))
                for child in children):
            return True
    import gettext  # the reference: slower (it imports re and locale), but still no click

    return gettext.find("messages", localedir) is None


def click_version() -> str | None:
    """The version of the click that ``import click`` would load, from the one
    ``click-VERSION.dist-info`` beside it, without importing it; None when that is unclear
    (click found by another finder, several dist-infos, none)."""
    for finder in sys.meta_path:
        find_spec = getattr(finder, "find_spec", None)
        if find_spec is None:
            continue
        try:
            spec = find_spec("click", None)
        except Exception:  # a finder that fails here: let the import system and click decide
            return None
        if spec is None:
            continue
        origin = spec.origin
        if not isinstance(origin, str) or os.path.basename(origin) != "__init__.py":
            return None
        site = os.path.dirname(os.path.dirname(origin))
        try:
            found = [name[6:-10] for name in os.listdir(site)
                     if name.startswith("click-") and name.endswith(".dist-info")]
        except OSError:
            return None
        return found[0] if len(found) == 1 else None
    return None


def _write(fd: int, text: str, code: int) -> int:
    """Write ``text`` as click's ``echo`` does (then flush); a failed write ends as the click
    command line ends it (``main.output_failed``). Returns the exit code."""
    stream = sys.stdout if fd == 1 else sys.stderr
    if stream is None:  # no such stream (closed at start): click writes nothing either
        return code
    try:
        stream.write(text)
        stream.flush()
    except KeyboardInterrupt:
        from .main import aborted

        return aborted()
    except OSError as exc:
        if fd == 2:  # standard error cannot be written: nothing more can be said
            return code
        from .main import output_failed

        return output_failed(exc)
    return code
