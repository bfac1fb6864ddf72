"""Twilio Programmable Messaging SMS adapter (``twilio_sms``).

Twilio cannot do two-way SMS with Vietnamese (+84) numbers (country guidelines: "Two-way SMS:
No"), so this adapter serves deployments outside Vietnam and one-way notices; two-way SMS in
Vietnam goes through ``integrations/android_sms``.
"""
