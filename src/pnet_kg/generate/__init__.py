"""Generate the staging-rules module from the tables in ``ontology/templates/`` (ROBOT-template style).

A clinician reviews the standards' tables in a spreadsheet, one row per rule; this
package turns them into ``ontology/knowledge/staging-rules.ttl``. :mod:`.tables` reads and
checks the tables (a bad row stops generation with file, line and column), :mod:`.triples`
turns rows into triples (what a row implies is derived, never typed twice), and
:mod:`.module` builds, writes or compares the module. A cell names a term by its code
(``skos:notation`` within the column's class), a system by its row in ``systems.tsv`` and a
source by the part of its IRI after ``Source_``.
"""

from __future__ import annotations

from .module import HEADER, TABLES, Generated, differences, generate, row_origins, write
from .tables import Origin, Row, RowError, read_table
from .triples import MODULE_IRI

__all__ = ["HEADER", "MODULE_IRI", "TABLES", "Generated", "Origin", "Row", "RowError", "differences", "generate",
           "read_table", "row_origins", "write"]
