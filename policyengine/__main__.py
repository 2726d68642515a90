"""``python -m policyengine``: the command line."""

from .cli.main import main

main()
