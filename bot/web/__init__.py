"""FastAPI application: health, simulator API and web chat; later webhooks and dashboard."""
