"""``python -m policyengine.cli``: the command line."""

from .main import main

main()
