"""Channel machinery shared by every adapter in ``integrations/``: the adapter contract, the
generic webhook route, send-error vocabulary; outbound queues and rate limits live beside it."""
