"""A startup's own tools between two digests: saved searches with e-mail/Atom alerts, and its bid pipeline."""
