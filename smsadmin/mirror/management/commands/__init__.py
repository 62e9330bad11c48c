"""``sync_messages``: one sync run per account, or a loop of them."""
