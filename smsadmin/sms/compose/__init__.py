"""Compose and schedule: the form's fields, recipients (pasted or CSV), segment
counting, scheduling in the sender's zone, and the one-send-per-click sending."""
