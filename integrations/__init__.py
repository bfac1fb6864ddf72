"""One folder per outside system (Telegram, Zalo, Twilio SMS, Android SMS gateway, Rasa)."""
