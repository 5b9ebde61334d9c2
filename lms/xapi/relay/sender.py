"""HTTP to one external LRS: one keep-alive session per target, with timeouts.

``post`` answers what became of a batch, ``about`` asks the LRS who it is (the admin page's
"test connection"). Neither raises for the network: a refused connection, a timeout or a 5xx
is an answer like any other, that the runner turns into a retry.
"""

from __future__ import annotations

from dataclasses import dataclass

from lms.xapi.relay.targets import Target

BODY_SHOWN = 500


@dataclass(frozen=True)
class Answer:
    status: int | None  # None: no HTTP answer (connection refused, timeout, ...)
    detail: str

    @property
    def delivered(self) -> bool:
        """2xx, or 409: the LRS already holds a statement with that id (we sent it before)."""
        return self.status is not None and (200 <= self.status < 300 or self.status == 409)

    @property
    def refused(self) -> bool:
        """The LRS refuses the content: a statement in it is bad for this LRS (not retried alone)."""
        return self.status in {400, 413}

    def describe(self) -> str:
        head = f"HTTP {self.status}" if self.status is not None else "no answer"
        return f"{head}: {self.detail}" if self.detail else head


class Sender:
    """Talks to one target; keep it for the life of the relay so connections are reused."""

    def __init__(self, target: Target, timeout: float) -> None:
        self.target = target
        self.timeout = timeout
        import requests  # here, not at import: a web worker that never relays does not load it

        self._errors = requests.RequestException
        self.http = requests.Session()
        if target.username is not None:
            self.http.auth = (target.username, target.password or "")
        self.http.headers.update({"X-Experience-API-Version": target.version})

    def post(self, raws: list[str]) -> Answer:
        """POST these statements (their JSON as stored, unchanged) in one request."""
        body = ("[" + ",".join(raws) + "]").encode()
        return self._send(
            "POST", self.target.statements_url, data=body, headers={"Content-Type": "application/json"}
        )

    def about(self) -> Answer:
        return self._send("GET", self.target.about_url)

    def close(self) -> None:
        self.http.close()

    def _send(self, method: str, url: str, **kwargs) -> Answer:
        try:
            response = self.http.request(method, url, timeout=self.timeout, allow_redirects=False, **kwargs)
        except self._errors as exc:
            return Answer(None, f"{type(exc).__name__}: {_short(str(exc))}")
        return Answer(response.status_code, _short(response.text))


def _short(text: str) -> str:
    text = " ".join(text.split())
    return text if len(text) <= BODY_SHOWN else text[:BODY_SHOWN] + "…"
