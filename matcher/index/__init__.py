"""Embeddings, their cache, and the vector and lexical indexes kept in step with the store."""
