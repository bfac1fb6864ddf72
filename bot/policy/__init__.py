"""Poverty standards, supports and loans from ``data/policy/``, and the classification rule."""

from bot.policy.classify import KLASS_ORDER, classify
from bot.policy.loader import PolicyDataError
from bot.policy.service import Policy

__all__ = ["KLASS_ORDER", "Policy", "PolicyDataError", "classify"]
