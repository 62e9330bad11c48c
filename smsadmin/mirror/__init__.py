"""The mirror: a local copy of every message of an account, for search, the dashboard
and exports without spending the upstream budget.

``sync.py`` is the loop and its lease (which call comes next, when a run stops);
``walking.py`` how a walk moves through upstream's pages; ``storing.py`` what is
written to the rows; ``allowance.py`` the sync's share of the per-key budget;
``progress.py`` what the pages show of a run; ``search.py``, ``dashboard.py`` and
``export.py`` answer from the rows.
"""
