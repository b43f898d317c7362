"""One router per resource; each route parses, checks the role, calls `matcher` and shapes the answer."""
