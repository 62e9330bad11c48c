"""Template filters for durations in words (`in_words`)."""
