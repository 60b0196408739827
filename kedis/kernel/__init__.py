"""The Kedis Jupyter kernel: notebooks whose cells are Kedis commands.

    python -m kedis.kernel install [--user | --sys-prefix | --prefix P]   # write the kernelspec
    jupyter lab                                                          # then pick "Kedis"

``kernel.py`` holds the kernel (an IPython kernel that routes cells), ``install.py`` the
installer, ``labextension.py`` the installer of the editor's Kedis language (JupyterLab's
highlighting while a cell is typed), and ``__main__.py`` the command line that does either.
"""
