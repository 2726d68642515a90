"""The command line: click lives here only; each command parses arguments, calls the library,
renders, and picks the exit code (0 clean, 1 findings or refusals, 2 usage or unreadable input,
3 internal error)."""
