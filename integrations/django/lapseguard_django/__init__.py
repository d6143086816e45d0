"""lapseguard for Django: see README.md. `check` asks about one address."""

from .client import LapseguardError, check, check_many

__all__ = ["LapseguardError", "check", "check_many"]
