"""Policy -> CompiledPolicy: the one home of what a policy implies (docs/design.md, "The layers").

    policy.py       CompiledPolicy and compile_policy (expressions, windows, digest)
    ladder.py       the escalation ladder's order and structure checks (networkx)
    facts_check.py  the facts check of one policy, generated at load
    pipeline.py     load_policy: read -> schema -> model -> ladder -> compile
"""
