"""The baseline for ``bench/run.py``: a bare Flask app that answers "hello", nothing else.

Served the same way as the LMS (gunicorn, same workers), so the ratio of the two shows what
the LMS's own work per request costs on top of Flask + gunicorn + the load generator.
"""

from __future__ import annotations

from flask import Flask

app = Flask(__name__)


@app.get("/")
def hello() -> str:
    return "hello"
