"""Trainer authoring in the browser: drafts of course packages, edited, previewed and published.

A draft is a course package held in the database, file by file (ADR 0036): the forms edit
``course.yaml``, ``lessons/<id>.md`` and ``quizzes/<id>.yaml`` as a trainer would in an editor,
and publishing runs the package checker and importer on those files. So a course made in the
browser and one made as files are the same thing, and each round-trips through the other.
"""
