"""Personal data (Decree 13/2023/NĐ-CP): what the chat actions tell and erase
(:mod:`.chat`), retention and its purge job (:mod:`.retention`, :mod:`.jobs`), the
``banbot data`` command (:mod:`.cli`). The rows themselves: :mod:`bot.store.privacy`."""
