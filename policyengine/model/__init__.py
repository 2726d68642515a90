"""Stage 3: the immutable rulebook model (``nodes``) and its builder (``build``)."""
