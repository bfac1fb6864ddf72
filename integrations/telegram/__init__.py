"""Telegram channel (aiogram 3): webhook with a secret token, long polling for development.

Connect a bot: create it with @BotFather (``/newbot``), then set
``BANBOT_TELEGRAM__ENABLED=true``, ``BANBOT_TELEGRAM__TOKEN=<token>``,
``BANBOT_TELEGRAM__WEBHOOK_SECRET=<1-256 of A-Z a-z 0-9 _ ->`` and ``BANBOT_PUBLIC_URL``;
``banbot webhooks set telegram`` registers ``{public_url}/webhooks/telegram``. Without a public
HTTPS URL, ``banbot serve --telegram-polling`` fetches updates with ``getUpdates`` instead.
"""
