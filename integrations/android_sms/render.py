"""Outbound SMS for the Android gateway: the shared SMS rendering, at most 8 parts.

Android refuses long multipart texts with ``RESULT_ERROR_LIMIT_EXCEEDED`` from about 9 parts
(docs.sms-gate.app/faq/errors), so the segment budget is capped at 8 whatever the settings
say. Each part of a Vietnamese text with diacritics holds 67 characters (UCS-2); unaccented
mode (``BANBOT_SMS_UNACCENTED``) gives 153 and usually halves the parts the SIM pays for.
"""

from __future__ import annotations

from functools import partial

from integrations.sms_common.render import render_with_settings

MAX_PARTS = 8


render_replies = partial(render_with_settings, max_parts=MAX_PARTS)
