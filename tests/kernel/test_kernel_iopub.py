"""A big cell's replies all reach the front end, even one that reads them late.

A cell of thousands of commands publishes its replies faster than a busy front end may read them.
ZeroMQ drops the messages waiting beyond a socket's high-water mark without a word, so the kernel
lifts that mark on iopub (kernel.py). The client here reads iopub only once the cell has ended,
with ZeroMQ's default marks on its own sockets: the worst case a front end can be in.
"""

from __future__ import annotations

import json
import time

import pytest

jupyter_client = pytest.importorskip("jupyter_client")

LINES = 10_000


def test_a_client_that_reads_late_still_gets_every_reply_and_the_idle_status():
    manager = jupyter_client.KernelManager(kernel_name="kedis")
    manager.start_kernel()
    client = manager.client()
    try:
        client.start_channels()
        client.wait_for_ready(timeout=60)
        msg_id = client.execute("\n".join(f"SET k{i} {i}" for i in range(LINES)))
        reply = client.get_shell_msg(timeout=60)
        assert reply["content"]["status"] == "ok"
        time.sleep(0.5)  # the front end is busy: the replies wait in the queues meanwhile
        outputs, idle = 0, False
        socket = client.iopub_channel.socket
        while not idle and socket.poll(5000):
            frames = socket.recv_multipart()
            header, parent, _, content = frames[frames.index(b"<IDS|MSG>") + 2:][:4]
            if json.loads(parent).get("msg_id") != msg_id:
                continue
            kind = json.loads(header)["msg_type"]
            if kind == "display_data":  # one reply, or a batch of them (kedis.jupyter.cells.BATCH)
                outputs += json.loads(content)["metadata"].get("kedis", {}).get("replies", 1)
            idle = kind == "status" and json.loads(content)["execution_state"] == "idle"
        assert (outputs, idle) == (LINES, True)
    finally:
        client.stop_channels()
        manager.shutdown_kernel(now=True)
