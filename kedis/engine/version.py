"""Which versions these are (Redis's version.h): the Redis whose behaviour Kedis follows, which
INFO, HELLO and the files Kedis writes report as ``redis_version``, and Kedis's own."""

REDIS_VERSION = "7.0.15"
KEDIS_VERSION = "0.1.0"
