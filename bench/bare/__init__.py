"""A bare Django project for the API benchmark's baseline: one JSON view, no DB, no auth."""
