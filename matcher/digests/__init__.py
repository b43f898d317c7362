"""Weekly match digests: build from the engine, curate with an audit trail, render, export and send."""
