"""Writes of the report cards: cards (render, sign, correct, revoke), signing batches, keys."""
