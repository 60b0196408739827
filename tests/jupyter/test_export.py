"""Exports highlight Kedis cells: nbconvert finds the lexer through language_info's pygments_lexer."""

import nbformat
import pytest

nbconvert = pytest.importorskip("nbconvert")


def test_an_html_export_highlights_commands_keys_options_and_numbers():
    notebook = nbformat.v4.new_notebook()
    notebook.metadata["kernelspec"] = {"name": "kedis", "display_name": "Kedis", "language": "kedis"}
    notebook.metadata["language_info"] = {"name": "kedis", "pygments_lexer": "kedis",
                                          "mimetype": "text/x-kedis", "file_extension": ".kedis"}
    notebook.cells.append(nbformat.v4.new_code_cell('# greet\nSET greeting "hello" EX 100'))
    html, _ = nbconvert.HTMLExporter().from_notebook_node(notebook)
    assert 'class="highlight hl-kedis"' in html               # the Kedis lexer, by name
    assert '<span class="c1"># greet</span>' in html          # comment
    assert '<span class="k">SET</span>' in html               # command
    assert '<span class="nv">greeting</span>' in html         # key
    assert '<span class="na">EX</span>' in html               # option
    assert '<span class="mi">100</span>' in html              # number
    assert '<span class="s2">"hello"</span>' in html         # string
