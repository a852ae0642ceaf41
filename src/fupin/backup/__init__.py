"""Backup and restore of the whole database: ``fupin backup`` and ``fupin restore``."""
