"""The ``nuanxin`` command: Django's management commands with the project's settings.

``nuanxin import-regions FILE`` runs the ``import_regions`` command; ``nuanxin points check``
runs ``points check``. Everything else Django offers (migrate, createsuperuser, ...) works too.
"""

import os
import sys


def main(argv: list[str] | None = None) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "nuanxin.settings")
    from django.core.management import execute_from_command_line

    args = list(sys.argv if argv is None else argv)
    if len(args) > 1 and not args[1].startswith("-"):
        args[1] = args[1].replace("-", "_")
    args[0] = "nuanxin"
    execute_from_command_line(args)


if __name__ == "__main__":
    main()
