"""``%structure`` in a real Kedis kernel (kernel_client.py): the live view goes out as a widget, with
its picture as text for front ends that draw no widgets (a console, a text export), and the
errors a user can make fail the cell with a sentence that says what to do."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from kernel_client import KernelSession, kernel_session

WIDGET_VIEW = "application/vnd.jupyter.widget-view+json"


@pytest.fixture(scope="module")
def kernel() -> Iterator[KernelSession]:
    with kernel_session("kedis") as session:
        yield session


@pytest.fixture(autouse=True)
def fresh_store(kernel: KernelSession) -> None:
    result = kernel.run("%connect embedded\n%clock real\n%reset")
    assert result.status == "ok", result.reply


def test_structure_shows_a_live_view_with_a_text_picture_for_plain_front_ends(kernel):
    result = kernel.run("SADD s 1 2 70000\n%structure s")
    assert result.status == "ok", result.reply
    views = [out for out in result.displays if WIDGET_VIEW in out["data"]]
    assert len(views) == 1
    # Every output that carries the picture as text (the live output's own text/plain may only
    # say that a live view is there; the picture follows it): a console prints this.
    text = "\n".join(out["data"]["text/plain"] for out in result.displays)
    assert '"s": intset: 3 integers, sorted, 4 bytes each: 8 + 4 × 3 = 20 bytes' in text
    assert "04 00 00 00 = 4 bytes per member (32-bit)" in text
    assert '70 11 01 00 = "70000"' in text


def test_structure_of_a_string_draws_its_encoding(kernel):
    result = kernel.run("SET greeting hello\n%structure greeting")
    assert result.status == "ok", result.reply
    text = "\n".join(out["data"]["text/plain"] for out in result.displays)
    assert "embstr: 5 bytes (at most 44) in one allocation with the robj" in text


def test_structure_of_a_missing_key_fails_the_cell_saying_so(kernel):
    result = kernel.run("%structure nope")
    assert result.status == "error" and result.reply["ename"] == "MagicError"
    assert 'no such key: "nope"' in result.reply["evalue"]


def test_structure_of_two_keys_fails_the_cell_with_its_usage(kernel):
    result = kernel.run("SET a 1\n%structure a b")
    assert result.status == "error" and result.reply["ename"] == "MagicError"
    assert result.reply["evalue"].startswith("usage: %structure [KEY]")


def test_structure_completes_the_key(kernel):
    assert kernel.run("SET user:1 a").status == "ok"
    assert kernel.complete("%structure us")["matches"] == ["user:1"]
