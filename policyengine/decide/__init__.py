"""Deciding a dispute with a compiled policy (docs/design.md, "The layers").

    evaluate.py     evaluate(policy, dispute, as_of) -> Decision; pure
    jsonlines.py    one JSON Lines record per dispute (the batch and the service)
    api.py          the package's load_policy and evaluate(dispute, policy or path)
"""
