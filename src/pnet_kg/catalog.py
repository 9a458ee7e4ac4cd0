"""Read ``catalog-v001.xml`` the way Protégé does: ontology IRI -> local file.

>>> from pnet_kg.resources import ontology_dir
>>> catalog = read_catalog(ontology_dir())
>>> catalog[ROOT_IRI].name
'pnet-kg.ttl'
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from pathlib import Path

from .errors import PnetKgError
from .prefixes import PNET

ROOT_IRI = str(PNET["pnet-kg.owl"])
_NS = "{urn:oasis:names:tc:entity:xmlns:xml:catalog}"


def read_catalog(directory: Path) -> dict[str, Path]:
    """Map every ``<uri name=... uri=...>`` entry of ``directory/catalog-v001.xml`` to an absolute path."""
    path = directory / "catalog-v001.xml"
    try:
        root = ET.parse(path).getroot()
    except (OSError, ET.ParseError) as exc:
        raise PnetKgError(f"{path}: cannot read the import catalog: {exc}") from exc
    entries: dict[str, Path] = {}
    for element in root.iter(f"{_NS}uri"):
        name, uri = element.get("name"), element.get("uri")
        if name and uri:
            entries[name] = (directory / uri).resolve()
    return entries
