"""Outbound SMS for Twilio: the shared SMS rendering (numbered options, segment budget).

Twilio accepts a body of up to 1600 characters and recommends at most 10 segments; the
settings cap ``sms_max_segments`` at 10, and 10 GSM-7 parts are 1530 characters, so every
rendered message fits one ``messages.create``.
"""

from __future__ import annotations

from integrations.sms_common.render import render_with_settings

MAX_BODY = 1600


render_replies = render_with_settings  # Twilio takes the settings' budget as it is
