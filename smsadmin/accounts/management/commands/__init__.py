"""Roles from the shell, the first admin, the demo data, and migrating once per deploy."""
