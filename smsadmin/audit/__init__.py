"""The audit log: an append-only, hash-chained record of what people did.

``actions.py`` is the one list of event names (``Action``); ``recorder.py`` writes
events (``record``/``audited``, with a ``Who`` the view builds); ``chain.py`` and
``verify.py`` keep and check the chain; ``triggers.py`` makes the table append-only
in the database; ``views.py``, ``export.py`` and ``prune.py`` read, export and trim it.
"""
