"""union-news: Chinese trade-union news, collected, deduplicated, classified and published as a weekly digest."""

from __future__ import annotations

__version__ = "0.1.0"
