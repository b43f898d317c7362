"""Tremplin's matching core: store, ingestion, embeddings, indexes, ranking, digests, evaluation."""

__version__ = "0.1.0"
