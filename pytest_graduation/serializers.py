"""The public base class for custom serializers of ``golden.check`` / ``observe``."""

from __future__ import annotations

from abc import ABC, abstractmethod


class Serializer(ABC):
    """Turns values of some type into golden file content.

    ``suffix`` is the golden file's extension including the dot (``".csv"``).
    ``serialize`` returning ``str`` writes UTF-8 text; ``bytes`` is written as is.
    """

    suffix: str

    @abstractmethod
    def accepts(self, value: object) -> bool:
        """Whether this serializer handles ``value``."""

    @abstractmethod
    def serialize(self, value: object) -> str | bytes:
        """The golden file content for ``value``."""
