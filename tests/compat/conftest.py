"""The compatibility suite is run by nox (noxfile.py), not by the project's own suite:
its sample projects hold failing tests on purpose."""

collect_ignore = ["projects", "dump.py", "run.py"]
