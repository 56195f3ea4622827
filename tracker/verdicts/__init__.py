"""Verdict sources: where the auditor and the TUI get project documents from.

:mod:`tracker.verdicts.interface` defines the protocol; implementations are
:mod:`~tracker.verdicts.snapshot` (the shipped feed file),
:mod:`~tracker.verdicts.remote` (a tracker's JSON API) and a database source.
Import the one you need: this package imports none of them, so the snapshot
path never pays for an HTTP client or an ORM.
"""
