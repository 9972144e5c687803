"""One module per command; the CLI parses options and calls these."""
