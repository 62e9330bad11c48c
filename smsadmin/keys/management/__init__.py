"""Management commands of the keys app."""
