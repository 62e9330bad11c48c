"""Answering people: the inbox of received messages and who handled them, the
conversation with one number (from the mirror), and the team's saved texts."""
