"""The Kedis Jupyter kernel (see kernel.py)."""
