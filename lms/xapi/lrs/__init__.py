"""The Learning Record Store endpoint at ``/xapi/``: xAPI 1.0.3's Communication part.

Statements that arrive here go through :func:`lms.xapi.service.record`, the one path every
learning event takes, so external content moves a learner's progress exactly as our own pages
do. ``protocol`` reads a request (version header, the alternate request syntax, CORS) into an
:class:`~lms.xapi.lrs.protocol.LrsRequest`; ``auth`` decides who is asking and with which scopes;
each resource module registers its URL and answers in JSON, with the spec's status codes.
"""
