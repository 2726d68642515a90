"""Renderers: a list of Diagnostics (or a decision, or a diff) -> text in one format each.
A new format is one new module here; no format logic lives anywhere else."""
