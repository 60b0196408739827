"""The server benchmark is not a timed test, but it must keep running: it is how the server's speed
is measured against redis-server."""

import subprocess
import sys
from pathlib import Path

import pytest
from redis_oracle import require_redis_binaries

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.redis
def test_server_benchmark_prints_both_servers_and_the_ratios():
    require_redis_binaries("redis-server", "redis-benchmark")
    result = subprocess.run([sys.executable, str(ROOT / "benchmarks" / "server.py"), "--quick"],
                            capture_output=True, text=True, timeout=300, check=True)
    for text in ("-P 1 ", "-P 16", "kedis-server", "redis-server", "SET", "GET", "INCR",
                 "Targets:", "floor (Python, no work)"):
        assert text in result.stdout
    assert result.stdout.count("x\n") >= 6  # a ratio for each test, both ways (and the floor's)
