"""The public-API criteria (SPEC section 14): ``api_frozen`` and ``api_documented``.

The API is read statically with griffe, an optional dependency; nothing in this
package imports griffe at import time, so the plugin works without it and the
criteria say how to install it.
"""

from __future__ import annotations

from typing import Final

#: the hint of both criteria when griffe is missing
INSTALL_HINT: Final = 'pip install "pytest-graduation[api]"'
#: the hint when there is no lock to compare with
FREEZE_HINT: Final = "run pytest --freeze-api"
