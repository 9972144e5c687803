"""Sharing casts: upload to asciinema servers, and embeds for docs and slides."""
