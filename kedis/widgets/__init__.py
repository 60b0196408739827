"""Live views of a Kedis engine (see the widgets issue)."""
