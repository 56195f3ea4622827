"""Find, verify and install free-threaded CPython interpreters."""

from tracker.pythons.discover import Interpreter, find_interpreter, find_interpreters

__all__ = ["Interpreter", "find_interpreter", "find_interpreters"]
