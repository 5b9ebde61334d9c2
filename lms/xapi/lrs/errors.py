"""Errors the LRS answers with: a status code the spec names and a JSON body saying why."""

from __future__ import annotations

from flask import jsonify


class LrsError(Exception):
    """Answer ``status`` with ``{"error": message}``; nothing was written."""

    status = 400

    def __init__(self, message: str, status: int | None = None, headers: dict[str, str] | None = None):
        super().__init__(message)
        self.message = message
        if status is not None:
            self.status = status
        self.headers = headers or {}

    def response(self):
        body = jsonify(error=self.message, status=self.status)
        body.status_code = self.status
        body.headers.update(self.headers)
        return body


class BadRequest(LrsError):
    status = 400


class Unauthorized(LrsError):
    status = 401


class Forbidden(LrsError):
    status = 403


class NotFound(LrsError):
    status = 404


class Conflict(LrsError):
    status = 409


class PreconditionFailed(LrsError):
    status = 412


class TooLarge(LrsError):
    status = 413
