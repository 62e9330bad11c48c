"""Re-encrypting stored secrets under the first of the site's encryption keys."""
