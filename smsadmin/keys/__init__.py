"""Sociostacks API keys: stored encrypted (``crypto.py``), personal or a team's,
checked with upstream before they are saved (``verification.py``), and the active
one each person works with (``selection.py``; views get it from ``api_key_required``).
"""
