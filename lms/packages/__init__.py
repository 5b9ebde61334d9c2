"""The course-package format: schema, check, import and export (docs/course-package.md).

Entry points: :func:`lms.packages.check.check_package` and ``check_folder``,
:func:`lms.packages.importer.import_package` and ``import_folder``,
:func:`lms.packages.exporter.export_course`, :func:`lms.packages.markdown.render_lesson` and
:func:`lms.packages.media.media_dir`. The CLI is ``flask lms content``.
"""
