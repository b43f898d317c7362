"""Ranking quality on real award data: hold-out split, metrics, baselines, the engine run and training.

The evaluation ranks through the same `Engine` the API uses; baselines are computed on the same split
so that every figure in a report comes from one run.
"""
