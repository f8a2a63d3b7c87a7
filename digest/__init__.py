"""story digest: follow one news story across many outlets and deliver a daily digest of it."""

__version__ = "0.1.0"
