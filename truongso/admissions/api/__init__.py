"""REST API of admission rounds, runs and results (/api/v1/admissions/)."""
