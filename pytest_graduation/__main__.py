"""``python -m pytest_graduation merge --level LEVEL REPORT.json...``"""

from __future__ import annotations

from pytest_graduation.merge import main

raise SystemExit(main())
