"""Built-in Vietnamese NLU: normaliser, intent classifier, entity extractors."""
