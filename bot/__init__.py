"""Bản Bot: a Telegram / Zalo / SMS assistant for mountain villages of northern Vietnam."""

__version__ = "0.1.0"
