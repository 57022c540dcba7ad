"""``python -m pytest_graduation merge --level LEVEL REPORT.json...``"""

from __future__ import annotations

import sys

from pytest_graduation.merge import main

if __name__ == "__main__":
    sys.exit(main())
