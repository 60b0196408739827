"""The expiry benchmark is not a timed test, but it must keep running: it is how active expiry at
scale is measured against redis-server."""

import subprocess
import sys
from pathlib import Path

import pytest
from redis_oracle import require_redis_binaries

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.redis
def test_expiry_benchmark_prints_both_servers_and_the_ratios():
    require_redis_binaries("redis-server")
    result = subprocess.run([sys.executable, str(ROOT / "benchmarks" / "expiry.py"), "--quick"],
                            capture_output=True, text=True, timeout=300, check=True)
    for text in ("redis-server", "kedis-server", "after the last deadline", "keys/s", "CPU",
                 "Targets:"):
        assert text in result.stdout
    assert result.stdout.count("x, ") >= 2  # the ratios to redis-server
