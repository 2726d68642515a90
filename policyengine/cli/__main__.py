"""``python -m policyengine.cli``: the command line (help pages without click: ``entry.py``)."""

from .entry import main

main()
