"""Work that runs after commit, on a queue: sends, bulk pumps, jobs (alerts, fan-outs).

- :mod:`.runner` — what one queue item does (the same code under both queues);
- :mod:`.local` — the in-process queue of the embedded default (no Redis);
- :mod:`.saq_queue` — the distributed queue on Redis (saq) and ``banbot worker``;
- :mod:`.sweeper` — finds what a crash left behind in the database and queues it again;
- :mod:`.registry` — named job handlers (``@job("report.alert")``).

See docs/decisions/0012-job-queue.md.
"""
