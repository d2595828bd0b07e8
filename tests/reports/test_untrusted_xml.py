"""Untrusted XML: the C parser only for documents without a DTD, defusedxml's rules kept."""

from __future__ import annotations

from xml.etree import ElementTree

import defusedxml.ElementTree as SafeElementTree
import pytest
from defusedxml import EntitiesForbidden

from hwaccept.reports.untrusted_xml import may_declare_entities, parse_untrusted

PLAIN = (b'<?xml version="1.0" encoding="utf-8"?><testsuites><testsuite name="p">'
         b'<testcase classname="c" name="t &amp; &#233;"><failure message="m">text</failure>'
         b'</testcase></testsuite></testsuites>')
BOMB = b"""<?xml version="1.0"?>
<!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;">]>
<testsuite name="&lol2;"/>"""
EXTERNAL = b"""<?xml version="1.0"?>
<!DOCTYPE t [<!ENTITY secret SYSTEM "file:///etc/passwd">]>
<testsuite name="&secret;"/>"""


def test_a_document_without_a_dtd_is_read_as_defusedxml_reads_it() -> None:
    assert not may_declare_entities(PLAIN)
    assert ElementTree.tostring(parse_untrusted(PLAIN)) == ElementTree.tostring(
        SafeElementTree.fromstring(PLAIN))


@pytest.mark.parametrize("document", [
    BOMB,
    EXTERNAL,
    b'<!DOCTYPE testsuite SYSTEM "http://example.com/junit.dtd"><testsuite/>',
    b"<!DOCTYPE testsuite><testsuite/>",
    '<?xml version="1.0" encoding="utf-16"?><!DOCTYPE t [<!ENTITY a "b">]><t/>'.encode(
        "utf-16"),
    b"<?xml version='1.0' \xff?><testsuite/>",
    b"",
])
def test_a_dtd_or_an_unreadable_prolog_goes_to_defusedxml(document: bytes) -> None:
    assert may_declare_entities(document)


@pytest.mark.parametrize("document", [BOMB, EXTERNAL])
def test_entity_declarations_are_refused(document: bytes) -> None:
    with pytest.raises(EntitiesForbidden):
        parse_untrusted(document)


def test_a_dtd_that_declares_no_entity_is_read() -> None:
    assert parse_untrusted(b"<!DOCTYPE testsuite><testsuite name='p'/>").get("name") == "p"


@pytest.mark.parametrize("document", [
    b'<testsuite name="&lol;"/>', b"<t>&lol;</t>", b"<t><a></t>", b"<t>\xff</t>", b"<t/><t/>",
])
def test_without_a_dtd_an_entity_is_undefined_and_errors_read_as_before(
        document: bytes) -> None:
    with pytest.raises(ElementTree.ParseError) as defused:
        SafeElementTree.fromstring(document)
    with pytest.raises(ElementTree.ParseError) as caught:
        parse_untrusted(document)
    assert str(caught.value) == str(defused.value)
