"""Helpers shared by the two SMS adapters (``twilio_sms``, ``android_sms``).

- :mod:`.phone`: phone numbers to E.164 and ``tel:`` URNs (Vietnamese local forms included);
- :mod:`.keywords`: STOP / START opt-out keywords (English and Vietnamese);
- :mod:`.render`: the engine's replies -> SMS ``Outbound`` with segment count and encoding.
"""

from integrations.sms_common.keywords import OptEvent, opt_event
from integrations.sms_common.phone import e164, tel_urn, urn_phone
from integrations.sms_common.render import render_sms

__all__ = ["OptEvent", "e164", "opt_event", "render_sms", "tel_urn", "urn_phone"]
