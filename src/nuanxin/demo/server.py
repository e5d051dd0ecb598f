"""The production server behind ``nuanxin serve`` and ``nuanxin demo``: gunicorn, threaded."""

import os
from typing import Any

from gunicorn.app.base import BaseApplication


class NuanxinServer(BaseApplication):
    def __init__(self, options: dict[str, Any]) -> None:
        self.options = options
        super().__init__()

    def load_config(self) -> None:
        for key, value in self.options.items():
            self.cfg.set(key, value)

    def load(self) -> Any:
        from nuanxin.wsgi import application

        return application


def default_workers() -> int:
    return int(os.environ.get("NUANXIN_WORKERS", str(min(2 * (os.cpu_count() or 1) + 1, 9))))


def serve(*, host: str, port: int, workers: int | None = None) -> None:
    NuanxinServer(
        {
            "bind": f"{host}:{port}",
            "workers": workers or default_workers(),
            "worker_class": "gthread",
            "threads": 4,
            "accesslog": "-",
            "timeout": 60,
            "graceful_timeout": 10,
        }
    ).run()
