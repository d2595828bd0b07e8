import pytest

from hwaccept.errors import ImportInputError
from hwaccept.importers import dmidecode
from tests.corpus import CORPUS
from tests.importers.replay import inventory_of

XE9680 = CORPUS / "dmi" / "gpud_dmidecode_Dell-PowerEdge-XE9680.txt"


def test_system_identity_of_a_dell_xe9680() -> None:
    text = XE9680.read_text()
    assert dmidecode.sniff(text)
    system = inventory_of(dmidecode.parse(text, str(XE9680))).system
    assert (system.vendor, system.product, system.serial) == (
        "Dell Inc.", "PowerEdge XE9680", "HSR8X04")
    assert system.bios_version is None
    assert system.board_name is None


def test_bios_and_board_blocks() -> None:
    text = (
        "Handle 0x0000, DMI type 0, 26 bytes\nBIOS Information\n"
        "\tVendor: Dell Inc.\n\tVersion: 1.6.10\n\tRelease Date: 02/13/2024\n"
        "\tCharacteristics:\n\t\tPCI is supported\n\n"
        "Handle 0x0200, DMI type 2, 8 bytes\nBase Board Information\n"
        "\tManufacturer: Dell Inc.\n\tProduct Name: 0F7C9J\n\tSerial Number: .HSR8X04.CNFCP0\n"
    )
    system = inventory_of(dmidecode.parse(text, "dmi.txt")).system
    assert (system.bios_vendor, system.bios_version, system.bios_date) == (
        "Dell Inc.", "1.6.10", "02/13/2024")
    assert (system.board_name, system.board_serial) == ("0F7C9J", ".HSR8X04.CNFCP0")


def test_no_identity_structures_is_an_error() -> None:
    text = "# dmidecode 3.3\nHandle 0x2000, DMI type 32, 11 bytes\nSystem Boot Information\n"
    with pytest.raises(ImportInputError, match=r"^boot\.txt: dmidecode output without"):
        dmidecode.parse(text, "boot.txt")
