"""Data the project makes: the bundled sample and synthetic corpora for benchmarks."""
