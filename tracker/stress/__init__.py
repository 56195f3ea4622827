"""The second tier of a verdict: a release's own tests run in many threads.

:mod:`tracker.stress.result` holds the value types (a stress result and its
vocabulary), kept on the ground floor so that the store, the documents, the API
and the audit can carry them; the runner that makes them lives with the probe
(:mod:`tracker.probe.stress`), inside the same sandbox.
"""
