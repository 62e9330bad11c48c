"""Template filters for a message's times: `moment` and `time_left`."""
