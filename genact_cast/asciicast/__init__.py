"""asciicast files: the in-memory model, readers and writers."""

from genact_cast.asciicast.model import (
    EXIT,
    INPUT,
    MARKER,
    MICROS,
    OUTPUT,
    RESIZE,
    Cast,
    Event,
    Header,
    Theme,
    format_seconds,
    micros,
)
from genact_cast.asciicast.writer import CastWriter, encode

__all__ = [
    "EXIT",
    "INPUT",
    "MARKER",
    "MICROS",
    "OUTPUT",
    "RESIZE",
    "Cast",
    "CastWriter",
    "Event",
    "Header",
    "Theme",
    "encode",
    "format_seconds",
    "micros",
]
