"""fttrack's terminal UI: browse the tracker's verdicts and audit a lockfile.

Built on Textual. Logic stays in :mod:`tracker` (parsing lockfiles, resolving
verdicts, rendering reports); this package only shows it. Run it with
``fttrack tui [LOCKFILE]``.
"""
