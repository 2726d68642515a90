"""``python -m policyengine``: the command line (help pages without click: ``cli/entry.py``)."""

from .cli.entry import main

main()
