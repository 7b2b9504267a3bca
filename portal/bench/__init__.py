"""``stoa bench`` (SPEC §8): a generated data set, a load generator and the report of the bars.

* :mod:`portal.bench.data` builds the data set with set-based SQL (PostgreSQL only);
* :mod:`portal.bench.load` is the concurrent HTTP load generator (keep-alive connections);
* :mod:`portal.bench.report` holds the bars and the ``--check`` verdict;
* :mod:`portal.bench.runner` starts gunicorn (the app and :mod:`portal.bench.hello`) and measures.
"""
