"""The digest world (startups, tenders, a loopback SMTP server) is shared with the digest tests."""

from tests.digests.conftest import (  # noqa: F401 - pytest fixtures
    digest_settings,
    mail_settings,
    smtp_server,
    world,
    world_template,
)
