"""``python -m pnet_kg`` is the ``pnet-kg`` command."""

from .cli import script

script()
