"""Rasa 3.6 as an NLU backend: ``adapter.RasaNlu`` (HTTP client with fallback), ``payloads``."""
