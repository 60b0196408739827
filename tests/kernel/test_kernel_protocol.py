"""The Kedis kernel speaks the Jupyter protocol: jupyter_kernel_test's checks, as other kernels use them.

``jupyter_kernel_test.KernelTests`` starts the installed kernel (``make setup`` installs the spec
into ``.venv``) through jupyter_client, sends each kind of request and validates every reply and
IOPub message against the message specification: execute (stdout, stderr, errors, results,
display data, clear_output), complete, inspect, is_complete, history, the pager and kernel_info.
Each class attribute below is a sample it runs; the behaviours themselves (what a reply looks like,
magics, interrupts...) are tested in test_kernel.py.

A Kedis cell answers with ``display_data`` (one per reply), never ``execute_result``, so the
samples that need an ``execute_result`` are Python: ``%%python`` cells and ``%python`` lines.
"""

from __future__ import annotations

import jupyter_kernel_test
import pytest
from kernel_client import KernelSession

pytestmark = pytest.mark.timeout(120)  # KernelTests waits without a deadline in a few places


class TestKedisKernelProtocol(jupyter_kernel_test.KernelTests):
    kernel_name = "kedis"
    language_name = "kedis"
    file_extension = ".kedis"

    @classmethod
    def setUpClass(cls) -> None:
        # Our session rather than KernelTests's own start: the same installed spec, plus a private
        # IPython directory, so that the history tests start from an empty history.
        cls.session = KernelSession(cls.kernel_name)
        cls.km, cls.kc = cls.session.km, cls.session.kc

    @classmethod
    def tearDownClass(cls) -> None:
        cls.session.close()

    # A %python line is Python's print: the kernel relays stdout as a stream.
    code_hello_world = '%python print("hello, world")'
    code_stderr = '%python import sys; print("a warning", file=sys.stderr)'

    # Completion of Kedis cells (command names, magics) and of Python in a %%python cell.
    completion_samples = [  # noqa: RUF012 - KernelTests reads class attributes
        {"text": "PIN", "matches": {"PING"}},
        {"text": "pers", "matches": {"persist"}},
        {"text": "%lsm", "matches": {"%lsmagic"}},
        {"text": "%trace o", "matches": {"on", "off"}},
        {"text": "%%python\nimport collections.ab", "matches": {"collections.abc"}},
    ]

    # A Kedis cell waits for more only while a quote is open; it is invalid when it cannot run.
    complete_code_samples = ["PING", 'SET k "v"', "SET k 'v'", "", "# a comment", "%lsmagic",
                             'SET poem "roses\nare red"', "%%python\nx = 1"]
    incomplete_code_samples = ['SET k "v', "SET k 'v", 'PING\nSET poem "roses\nare',
                               "%%python\nfor i in range(3):"]
    invalid_code_samples = ['SET k a"b c"d', "%nosuch", "%%python\nx = )"]

    # Kedis's own help (SET?) is an output of the cell, not a pager payload, so that it stays in
    # the notebook (test_kernel.py tests it); Python's ? in a %%python cell still pages.
    code_page_something = "%%python\nprint?"

    # An unbalanced quote fails the cell (an error *reply* would not: see test_kernel.py).
    code_generate_error = 'SET greeting "hello'

    code_execute_result = [  # noqa: RUF012
        {"code": "%%python\n6 * 7", "result": "42"},
        {"code": "%python 'kedis'.upper()", "result": "'KEDIS'"},
    ]

    code_display_data = [  # noqa: RUF012
        {"code": "PING", "mime": "text/plain"},
        {"code": "GET no-such-key", "mime": "text/html"},  # nil is drawn in HTML too
        {"code": "MGET a b", "mime": "text/html"},
    ]

    # A GLOB that matches the first of code_execute_result only (the search's "unique" case
    # wants one cell; [*] is a literal star).
    code_history_pattern = "*6 [*] 7"
    supported_history_operations = ("tail", "range", "search")

    code_inspect_sample = "SET"

    code_clear_output = "%%python\nfrom IPython.display import clear_output\nclear_output()"
