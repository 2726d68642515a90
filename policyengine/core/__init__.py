"""What every stage stands on; imports nothing else of the package (docs/design.md).

    diagnostics.py  Span, Severity, Diagnostic: the one record every check emits
    codes.py        the registry of diagnostic and refusal codes
    errors.py       the exception tree (PolicyengineError > PolicyError, ...)
    decision.py     the Decision record and its trace steps (what evaluate answers)
    calendar.py     durations, business days, windows: the one home of date arithmetic
    source.py       SourceFile: offsets <-> line and column
    suggest.py      did-you-mean
    limits.py       the bounds a rulebook and its disputes live within
    version.py      the installed distribution's version
"""
