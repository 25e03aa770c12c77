"""Where the public data sets of the workspace are: BANKSEG_SHARED_DATA, else ../shared/data next to the project,
else /work/shared/data (the workspace's own copy, for a clone made elsewhere). Tests read them there; the project
never copies them."""

from __future__ import annotations

import os
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def shared_data() -> Path:
    """The folder holding berka/ and bank_marketing/ (it may not exist: callers skip or fail as they need)."""
    configured = os.environ.get("BANKSEG_SHARED_DATA")
    if configured:
        return Path(configured)
    for candidate in (ROOT.parent / "shared" / "data", Path("/work/shared/data")):
        if candidate.is_dir():
            return candidate
    return ROOT.parent / "shared" / "data"
