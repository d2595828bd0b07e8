"""Untrusted XML parsed by ElementTree's C parser when it has no DTD, else by defusedxml.

defusedxml refuses entity declarations and external references by swapping
ElementTree's C parser for its pure-Python one, which makes a report of a hundred test
cases take about 2.5 times as long to parse. A document without a document type
declaration cannot declare an entity: expat then knows only XML's five predefined
entities and character references, and stops at any other as undefined, so nothing can
be expanded or fetched. So the prolog is read first, up to the root element; a document
with a DTD, or whose prolog expat cannot read, goes to defusedxml, which refuses or
reports it as it always does, and the rest to the C parser.
"""

from __future__ import annotations

import pyexpat
from xml.etree import ElementTree

import defusedxml.ElementTree as SafeElementTree


class _Prolog(Exception):
    """Raised from expat's handlers to stop reading at the DTD or the root element."""

    def __init__(self, has_dtd: bool) -> None:
        super().__init__()
        self.has_dtd = has_dtd


def _at_dtd(*_declaration: object) -> None:
    raise _Prolog(has_dtd=True)


def _at_root(*_element: object) -> None:
    raise _Prolog(has_dtd=False)


def may_declare_entities(data: bytes) -> bool:
    """Whether `data` has a DTD before its root element, or a prolog expat cannot read."""
    parser = pyexpat.ParserCreate()
    parser.StartDoctypeDeclHandler = _at_dtd
    parser.StartElementHandler = _at_root
    try:
        parser.Parse(data, True)
    except _Prolog as stop:
        return stop.has_dtd
    except pyexpat.ExpatError:
        return True
    return True


def parse_untrusted(data: bytes) -> ElementTree.Element:
    """The root element of `data`.

    Raises:
        ElementTree.ParseError: not well-formed.
        defusedxml.DefusedXmlException: declares entities or references external ones.

    """
    if may_declare_entities(data):
        return SafeElementTree.fromstring(data)
    parser = ElementTree.XMLParser()
    parser.feed(data)
    return parser.close()
