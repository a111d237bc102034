"""Listing copy: structured words per platform, checked against the catalog facts, zh-CN and en."""

from tools.copy.tool import write_listing_copy

__all__ = ["write_listing_copy"]
