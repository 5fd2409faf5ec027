"""The sources of the built-in task suite, one folder per task under ``tasks/``.

``tools/build_builtin_suite.py`` reads them and writes ``codegym/tasks/data/builtin.jsonl``; the installed package
reads only that file. ``docs/builtin_suite.md`` describes a task folder and how to add one.
"""
