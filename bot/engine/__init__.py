"""The dialog engine: flows are data (dialogs/*.yml), the engine is pure and returns a Turn."""
