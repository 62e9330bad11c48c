"""Management commands of the mirror app."""
