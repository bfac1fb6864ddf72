"""Plain data types shared across the application; no I/O, no provider types."""
