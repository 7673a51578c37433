"""Allow ``python -m smtui``."""

from smtui.cli import main

if __name__ == "__main__":
    raise SystemExit(main())
