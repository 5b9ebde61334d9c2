"""The RQ worker the LMS runs (``flask lms jobs worker``); import it only where it is used.

It is RQ's ``SimpleWorker`` (each job runs in this process, inside the app context), with one
change: its listener for RQ's commands (stop a job, shut down) wakes every second instead of
every minute. RQ joins that listener when a worker stops, so a ``--burst`` run could take up to
60 seconds to end after its last job.
"""

from __future__ import annotations

from rq import SimpleWorker

COMMAND_POLL_SECONDS = 1


class Worker(SimpleWorker):
    def subscribe(self) -> None:
        self.pubsub = self.connection.pubsub()
        self.pubsub.subscribe(**{self.pubsub_channel_name: self.handle_payload})
        self.pubsub_thread = self.pubsub.run_in_thread(
            sleep_time=COMMAND_POLL_SECONDS, daemon=True, exception_handler=self._pubsub_exception_handler
        )
