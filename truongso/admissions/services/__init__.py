"""Admission services (writes): rounds, scores, runs, applications, confirmation."""
