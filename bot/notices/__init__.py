"""Notices: a village head (their village), an officer (their commune, or chosen villages of
it) or an admin (anywhere) sends words to the residents, on the cheapest way to reach each.

- :mod:`.scope` — who may send where (refusals are audited);
- :mod:`.when` — "7 giờ sáng mai" and the like, as a time;
- :mod:`.planner` — the audience, each person's way (Zalo inside the free window or with paid
  quota, else Telegram, Zalo Bot, SMS last), one message row per person, in bulk; the preview;
- :mod:`.jobs` — ``notice.plan`` at the chosen time, ``notice.watch`` until every message has
  ended, then a summary to the sender;
- :mod:`.service` — what the chat flow, the workspace and the API call.

The bulk lane's pumps send the rows (``bot/outbound/sender.py``); STOP and a per-topic opt-out
win over a notice already planned (the row is skipped).
"""
