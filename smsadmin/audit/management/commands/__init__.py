"""Verifying and pruning the audit chain, and a flush that respects its triggers."""
