"""A local, read-only SPARQL 1.1 endpoint: the Oxigraph server (from the ``oxigraph`` package) over the graph.

The shipped graph and any case files are bulk-loaded into an on-disk Oxigraph location
(:mod:`.location`), then ``oxigraph serve-read-only`` answers the SPARQL Protocol on a private
port, with its query page at ``/``. Users reach it through the checking server in this process
on 127.0.0.1 (:mod:`.front`: Host header, bounded connections, ``SERVICE`` refused, Oxigraph's
timeout as HTTP 503). Updates and Graph Store writes are refused by the read-only server itself.
:func:`serve` (:mod:`.server`) starts it all; Oxigraph is a child process, stopped by its process id.
"""

from __future__ import annotations

from .location import OWNER_MARKER, oxigraph_binary, prepare_location
from .server import Server, check_port, free_port, serve

__all__ = ["OWNER_MARKER", "Server", "check_port", "free_port", "oxigraph_binary", "prepare_location", "serve"]
