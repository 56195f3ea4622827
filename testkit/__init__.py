"""What the tests, the benchmarks and the scripts share: a loopback package index with
scripted faults (:mod:`testkit.indexserver`), wheels built at run time
(:mod:`testkit.wheelbuild`) and the documentation's examples
(:mod:`testkit.doc_examples`).

It is not part of the installed package. ``tests/``, ``bench/`` and ``scripts/``
import it from the repository root; ``bench/`` and ``scripts/`` import nothing
from ``tests/`` (a test checks).
"""
