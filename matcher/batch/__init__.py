"""Batch work on a Ray cluster (optional extra `tremplin[ray]`): nothing here imports Ray until asked."""
