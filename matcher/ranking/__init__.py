"""Ranking: catalogue, case base, features, eligibility, scoring, explanations and the engine."""
