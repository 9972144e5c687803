"""genact-cast: fake an LLM training run in a terminal and make it a real screencast."""

__version__ = "0.1.0"
