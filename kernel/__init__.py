"""The Kedis kernelspec, installed by ``python -m kedis.kernel install``."""
