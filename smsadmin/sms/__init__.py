"""Messages as upstream has them: the list, one message, the scheduled ones, deleting.

``reading.py`` names what the cached reads return (rows, freshness); ``deleting.py``
deletes and cancels, one audited attempt each; ``numbers.py`` remembers the numbers
smsadmin sent to. Writing and sending a message is the ``compose`` package.
"""
