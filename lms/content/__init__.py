"""Course content: the course tree and quiz definitions, as imported from packages.

The lowest of the learning areas: ``progress``, ``courses`` and ``quizzes`` read it, and it
imports none of them (docs/architecture.md).
"""
