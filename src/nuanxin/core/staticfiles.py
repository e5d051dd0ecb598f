"""Static files as served: whitenoise, preferring the collected (and compressed) copies.

Static files are found in the installed packages (``WHITENOISE_USE_FINDERS``), so nothing has to
be collected for the site to work. Whitenoise serves a compressed copy only where one lies
beside the file, which only ``collectstatic`` writes (``CompressedStaticFilesStorage``): plain
whitenoise lets the finders' uncompressed files replace the collected ones. This middleware
keeps a collected file where there is one, so a phone gets the gzip copy; ``nuanxin serve``
collects before it starts (``static_collect``).
"""

from typing import Any

from django.core.management import call_command
from whitenoise.middleware import WhiteNoiseMiddleware


class CollectedFirstWhiteNoise(WhiteNoiseMiddleware):
    def add_files_from_finders(self) -> None:
        collected = dict(self.files)
        super().add_files_from_finders()
        self.files.update(collected)


def static_collect(**options: Any) -> None:
    """Collect the static files into ``STATIC_ROOT`` with their compressed copies (quietly)."""
    call_command("collectstatic", interactive=False, verbosity=0, **options)
