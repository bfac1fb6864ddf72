"""Resident reports (household changes, disasters): scoring and helpers around them."""
