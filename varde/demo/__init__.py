"""Demo data for `varde demo`: agencies, persona users and synthetic persons. Never for production."""
