"""The player: timeline (pure schedule), sanitize (escape filter), terminal, playback."""
