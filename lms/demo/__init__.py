"""Generated demo data: a simulated ministry with learners and their learning, recorded as xAPI
statements, for trying the reports and for benchmarks (``flask lms demo seed``).

Everything it makes is fictional; see docs/demo-data.md.
"""
