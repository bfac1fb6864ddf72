"""Zalo Official Account (OA API v3): webhook events, CS messages, token refresh, reply window."""
