"""Small helpers, out of the way: they import nothing of Kedis, and anything may import them.

    numbers.py     Redis's strict integers (util.c's string2ll)
    glob.py        KEYS, SCAN and PSUBSCRIBE patterns, never backtracking (util.c's stringmatchlen)
    longdouble.py  INCRBYFLOAT's C ``long double``, and how Redis prints it
    clock.py       the real clock and the fake one that tests and tutorials move by hand
    plural.py      "1 key", "2 keys"
    lzf.py         LZF compression: RDB's strings, a quicklist's interior nodes (lzf_c.c, lzf_d.c)
"""
