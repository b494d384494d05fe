"""Safe XML reading for imported files: no DOCTYPE (no entity expansion), no namespaces."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET

# A DOCTYPE is the only way to declare entities; refusing it rules out "billion laughs"
# expansion and external entities without needing defusedxml (not a dependency).
_DOCTYPE_RE = re.compile(rb"<!\s*(DOCTYPE|ENTITY)", re.IGNORECASE)


class UnsafeXmlError(ValueError):
    """The document declares a DOCTYPE or entities, or is not well-formed XML."""


def local(tag: str) -> str:
    """The element or attribute name without its ``{namespace}``."""
    return tag.rsplit("}", 1)[-1]


def parse(data: bytes, *, name: str) -> ET.Element:
    """Parse ``data`` (named ``name`` in messages), refusing DOCTYPEs and bad XML."""
    if _DOCTYPE_RE.search(data):
        raise UnsafeXmlError(f"{name}: refused, the document declares a DOCTYPE or entities.")
    try:
        root = ET.fromstring(data)
    except ET.ParseError as exc:
        raise UnsafeXmlError(f"{name}: not well-formed XML ({exc}).") from exc
    # Drop namespaces so that QTI 3.0 documents read the same whatever prefix they use.
    for element in root.iter():
        if isinstance(element.tag, str):
            element.tag = local(element.tag)
        for key in [k for k in element.attrib if k.startswith("{")]:
            element.attrib[local(key)] = element.attrib.pop(key)
    return root
