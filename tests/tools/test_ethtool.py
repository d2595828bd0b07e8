"""ethtool output parsers on real captures (node_exporter's e1000e, this VM's virtio)."""

from __future__ import annotations

import pytest

from hwaccept.tools.ethtool import (
    DriverInfo,
    LinkSettings,
    parse_driver_info,
    parse_settings,
    supported_max,
)
from tests.corpus import corpus

VIRTIO_DRIVER = (
    "driver: virtio_net\nversion: 1.0.0\nfirmware-version: \nexpansion-rom-version: \n"
    "bus-info: 0000:00:03.0\nsupports-statistics: yes\n"
)
"""`ethtool -i eth0` on this project's virtio VM (empty values keep their trailing space)."""

VIRTIO_SETTINGS = """Settings for eth0:
\tSupported ports: [  ]
\tSupported link modes:   Not reported
\tSpeed: Unknown!
\tDuplex: Unknown! (255)
\tAuto-negotiation: off
\tPort: Other
\tLink detected: yes
"""


def _without_comment(text: str) -> str:
    return "\n".join(line for line in text.splitlines() if not line.startswith("#"))


def test_e1000e_driver_info() -> None:
    text = _without_comment(corpus("other/node_exporter_ethtool_eth0_driver.txt").read_text())
    assert parse_driver_info(text) == DriverInfo(
        driver="e1000e", version="5.11.0-22-generic", firmware_version="0.5-4",
        bus_info="0000:00:1f.6")


def test_e1000e_settings() -> None:
    text = _without_comment(corpus("other/node_exporter_ethtool_eth0_settings.txt").read_text())
    assert parse_settings(text) == LinkSettings(
        speed_mbps=1000, duplex="full", port="Twisted Pair", link_detected=True,
        supported_max_mbps=10000)


def test_virtio_without_speed() -> None:
    assert parse_driver_info(VIRTIO_DRIVER) == DriverInfo(
        driver="virtio_net", version="1.0.0", firmware_version=None, bus_info="0000:00:03.0")
    assert parse_settings(VIRTIO_SETTINGS) == LinkSettings(
        speed_mbps=None, duplex=None, port="Other", link_detected=True, supported_max_mbps=None)


def test_fastest_link_mode() -> None:
    modes = "1000baseKX/Full 10000baseKR/Full 400000baseCR4/Full 200000baseCR4/Full"
    assert supported_max(modes) == 400000
    assert supported_max("Not reported") is None


@pytest.mark.parametrize("text", ["", "Cannot get driver information: No such device"])
def test_garbage_driver_info_is_refused(text: str) -> None:
    with pytest.raises(ValueError, match="no `driver:` line"):
        parse_driver_info(text)


@pytest.mark.parametrize("text", ["", "Cannot get device settings: No such device"])
def test_garbage_settings_are_refused(text: str) -> None:
    with pytest.raises(ValueError, match="no `Settings for` header"):
        parse_settings(text)
