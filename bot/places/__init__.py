"""The places gazetteer (province -> commune -> village) and the place-name matcher."""

from bot.places.gazetteer import Gazetteer
from bot.places.importer import ImportResult, read_villages_csv

__all__ = ["Gazetteer", "ImportResult", "read_villages_csv"]
