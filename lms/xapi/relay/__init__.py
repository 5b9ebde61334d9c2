"""The relay: sends the outbox (``lms_xapi_outbox``) to the external LRSs of ``LMS_XAPI_FORWARD``.

``targets`` reads the configuration, ``outbox`` queues, claims and marks rows, ``sender`` speaks
HTTP to one target, ``runner`` is the loop (batches, backoff, parking), ``jobs`` runs it on RQ,
``views`` is the admin page. See docs/xapi-relay.md.
"""
