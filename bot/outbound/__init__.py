"""Outbound sending: per-channel queues with reply/bulk priority, retries, and send limits
shared across processes (Redis) or in memory. See docs/decisions/0006-outbound-dispatch.md."""
