"""Several workers that share one loaded engine: gunicorn's pre-fork model with uvicorn workers.

`tremplin serve --workers N` (N > 1) runs gunicorn with `preload_app`: the master process builds
the app and loads the engine once (catalogue, id maps, mapped index snapshot), freezes those objects
out of the garbage collector, then forks the workers. Their pages stay shared copy-on-write
(Instagram's `gc.freeze` technique) instead of each worker loading its own copy; each worker starts
its own watcher in its lifespan. gunicorn also replaces a worker that dies, from the same loaded state.

The app is named by its factory string, so `matcher` does not import `service`.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from typing import Any

from gunicorn.app.base import BaseApplication
from uvicorn_worker import UvicornWorker

from matcher.cli.accept import share_board
from matcher.settings import get_settings

PREFORK_FACTORY = "service.app:create_preforked_app"


class TremplinWorker(UvicornWorker):
    """uvicorn in a gunicorn worker, configured as `tremplin serve` configures uvicorn alone."""

    CONFIG_KWARGS: dict[str, Any] = {
        "loop": "auto",
        "http": "auto",
        "lifespan": "on",
        "access_log": False,  # the app logs every request itself, with its request id
        "proxy_headers": True,
    }


class BalancedWorker(TremplinWorker):
    """The same, on an event loop that spreads connections evenly over the workers (`matcher.cli.accept`)."""

    CONFIG_KWARGS = TremplinWorker.CONFIG_KWARGS | {"loop": "matcher.cli.accept:BalancedAcceptLoop"}


def _factory(path: str) -> Callable[[], Any]:
    module, name = path.split(":", 1)
    factory: Callable[[], Any] = getattr(importlib.import_module(module), name)
    return factory


class PreforkServer(BaseApplication):
    """gunicorn configured in code (no config file): bind, workers, preload, uvicorn worker class."""

    def __init__(self, factory: str, options: dict[str, Any]) -> None:
        self.factory = factory
        self.options = options
        super().__init__()

    def load_config(self) -> None:
        for name, value in self.options.items():
            self.cfg.set(name, value)

    def load(self) -> Any:
        return _factory(self.factory)()


def run_prefork(host: str, port: int, workers: int, log_level: str, factory: str = PREFORK_FACTORY) -> None:
    """Serve with `workers` processes forked from one loaded app, until interrupted."""
    balanced = get_settings().balanced_accept
    if balanced:
        share_board(workers)  # before the fork, so that every worker sees the same board
    options = {
        "bind": f"[{host}]:{port}" if ":" in host else f"{host}:{port}",
        "workers": workers,
        "worker_class": BalancedWorker if balanced else TremplinWorker,
        "preload_app": True,
        "loglevel": log_level,
        "accesslog": None,
        "errorlog": "-",
        # Workers boot in a moment (the engine is already loaded); the default heartbeat timeout
        # is for them, not for the load, which happens before the first fork.
        "timeout": 60,
        "graceful_timeout": 30,
        "keepalive": 5,
        "forwarded_allow_ips": "127.0.0.1",
    }
    PreforkServer(factory, options).run()
