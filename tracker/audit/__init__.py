"""The auditor: read a project's requirements, judge each one, render a report.

``sources/`` reads lockfiles and requirements files into
:class:`~tracker.models.Dependency` values, :mod:`tracker.audit.resolve` judges
them against a :class:`~tracker.verdicts.interface.VerdictSource`, and
:mod:`tracker.formats` renders the resulting :class:`~tracker.audit.resolve.AuditReport`.
"""
