"""The tutorials as tests (nbval): the one that needs a real redis-server.

Notebook 5 starts a redis-server and compares Kedis with it, and its stored outputs are those of
that run. Without redis-server the notebook still runs for a reader (it says how to install one
and goes on with Kedis alone), but its outputs are then not the stored ones. So its cells are
skipped, as the tests that compare with Redis are (tests/redis_oracle.py); under ``make test``,
which installs redis-server and sets KEDIS_REQUIRE_REDIS, they run, and fail if it is missing.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

NEEDS_REDIS = {"05-kedis-and-real-redis.ipynb"}
SANITIZE = Path(__file__).with_name("nbval-sanitize.cfg")


def pytest_configure(config: pytest.Config) -> None:
    # nbval opens its sanitize file relative to the working directory: name ours by its full
    # path, so that `pytest --nbval .../notebooks` works from anywhere (unless another is given).
    if getattr(config.option, "nbval_sanitize_with", None) is None:
        config.option.nbval_sanitize_with = str(SANITIZE)


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    if shutil.which("redis-server") is not None or os.environ.get("KEDIS_REQUIRE_REDIS"):
        return
    skip = pytest.mark.skip(reason="redis-server not installed (make test installs it with "
                                   "apt-get)")
    for item in items:
        if item.path.name in NEEDS_REDIS:
            item.add_marker(skip)
