"""SMS Gateway for Android adapter (``android_sms``): two-way SMS inside Vietnam.

An Android phone with a Vietnamese SIM runs the open-source "SMS Gateway for Android" app
(capcom6/android-sms-gateway, https://docs.sms-gate.app). The phone POSTs signed webhooks for
received SMS and delivery reports; we send through its API (local, cloud or private server)
with the PyPI client ``android-sms-gateway``.
"""
