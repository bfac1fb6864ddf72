"""Zalo Bot Platform (the Telegram-like Bot API): webhook with a secret header, sendMessage."""
