import pytest

from hwaccept.errors import ImportInputError
from hwaccept.importers import nvidia_smi_query, nvidia_smi_xml
from hwaccept.importers.assemble import Merged
from hwaccept.inventory.records import EccCounts, FabricInfo, Gpu, RemappedRows
from tests.corpus import CORPUS
from tests.importers.replay import inventory_of

NVML = CORPUS / "nvml"
A10G = NVML / "telegraf_nvidia-smi-q-x_A10G.xml"
T4 = NVML / "telegraf_nvidia-smi-q-x_Tesla-T4.xml"
A100 = NVML / "telegraf_nvidia-smi-q-x_v12_A100-SXM4-80GB.xml"
RTX4000 = NVML / "telegraf_nvidia-smi-q-x_v13_RTX-4000-SFF-Ada.xml"


def test_a10g_v11_runs_at_gen1_x8_of_gen4_x16() -> None:
    text = A10G.read_text()
    assert nvidia_smi_xml.sniff(text[:65536])
    parts = nvidia_smi_xml.parse(text, "a10g.xml")
    assert (parts.summary, parts.notes) == ("1 GPU", [])
    assert parts.nvml_gpus[0]["nvmlDeviceGetCurrentClocksThrottleReasons"] == 0x1
    inventory = inventory_of(parts)
    assert inventory.nvidia.driver_version == "515.105.01"
    assert inventory.gpus == (Gpu(
        index=0, uuid="GPU-9a9a6c50-2a47-2f51-a902-b82c3b127e94", serial="0000000000000",
        name="NVIDIA A10G", pci_address="0000:00:1e.0", pci_device_id="0000",
        memory_total_bytes=23028 << 20, vbios_version="94.02.75.00.01",
        inforom_image_version="G133.0210.00.04", driver_version="515.105.01",
        cuda_driver_version="11.7", persistence_mode=False, ecc_mode_current=True,
        ecc_mode_pending=True, ecc=EccCounts(0, 0, 0, 0),
        remapped_rows=RemappedRows(0, 0, False, False), temperature_c=17,
        power_draw_w=25.58, power_limit_w=300.0, sm_clock_mhz=210, memory_clock_mhz=405,
        max_sm_clock_mhz=1710, max_memory_clock_mhz=6251, throttle_reasons=("gpu_idle",),
        pcie_gen_current=1, pcie_gen_max=4, pcie_width_current=8, pcie_width_max=16),)


def test_tesla_t4_retired_pages_and_no_remapper() -> None:
    gpu = inventory_of(nvidia_smi_xml.parse(T4.read_text(), "t4.xml")).gpus[0]
    assert (gpu.name, gpu.pci_device_id) == ("Tesla T4", "1eb8")
    assert (gpu.retired_pages_sbe, gpu.retired_pages_dbe, gpu.retired_pages_pending) == (
        0, 0, False)
    assert gpu.remapped_rows is None
    assert (gpu.pcie_gen_current, gpu.pcie_gen_max, gpu.pcie_width_current,
            gpu.pcie_width_max) == (3, 3, 8, 16)


def test_a100_v12_in_mig_mode_one_of_four_gpus() -> None:
    parts = nvidia_smi_xml.parse(A100.read_text(), "a100.xml")
    assert parts.summary == "1 of 4 GPUs"
    assert parts.notes == [
        "4 GPUs are attached but 1 listed (nvidia-smi -i): recorded as GPU 0 in the order "
        "listed, which need not be their NVML index; the others replay as unknown"]
    inventory = inventory_of(parts)
    first, *others = inventory.gpus
    assert (first.mig_mode_current, first.mig_mode_pending) == (True, True)
    assert (first.serial, first.pci_address, first.pci_device_id) == (
        "1650522003820", "0000:01:00.0", "20b2")
    assert (first.remapped_rows, first.fabric, first.throttle_reasons) == (None, None, ())
    assert others == [Gpu(index=i, driver_version="535.54.03", cuda_driver_version="12.2")
                      for i in (1, 2, 3)]


def test_rtx_4000_ada_v13() -> None:
    parts = nvidia_smi_xml.parse(RTX4000.read_text(), "ada.xml")
    gpu = inventory_of(parts).gpus[0]
    assert (gpu.name, gpu.board_part_number, gpu.pci_address) == (
        "NVIDIA RTX 4000 SFF Ada Generation", "900-5G192-1770-000", "0000:06:00.0")
    assert (gpu.ecc_mode_current, gpu.ecc) == (False, EccCounts())
    assert gpu.remapped_rows == RemappedRows(0, 0, False, False)
    assert (gpu.power_draw_w, gpu.power_limit_w) == (8.81, 70.0)
    assert parts.nvml_system["nvmlSystemGetCudaDriverVersion"] == 13020


def test_unknown_schema_version_is_refused() -> None:
    text = A10G.read_text().replace("nvsmi_device_v11.dtd", "nvsmi_device_v99.dtd")
    with pytest.raises(ImportInputError) as caught:
        nvidia_smi_xml.parse(text, "new.xml")
    assert caught.value.msg == ("new.xml: nvidia-smi XML schema nvsmi_device_v99.dtd is not "
                                "supported: this importer reads v11 to v13")
    older = A10G.read_text().replace("nvsmi_device_v11.dtd", "nvsmi_device_v10.dtd")
    with pytest.raises(ImportInputError, match=r"schema nvsmi_device_v10\.dtd is not"):
        nvidia_smi_xml.parse(older, "old.xml")


def test_cut_off_xml_is_refused_with_its_position() -> None:
    cut = A100.read_text()[:5000]
    with pytest.raises(ImportInputError) as caught:
        nvidia_smi_xml.parse(cut, "cut.xml")
    assert caught.value.msg == ("cut.xml: not well-formed XML at line 117, column 38: "
                                "unclosed token (cut off or damaged)")
    damaged = A10G.read_text().replace("</serial>", "</seriel>")
    with pytest.raises(ImportInputError, match=r"^d\.xml: not well-formed XML at line 28, "
                                               r"column 31: mismatched tag"):
        nvidia_smi_xml.parse(damaged, "d.xml")


def test_entities_are_refused() -> None:
    text = ('<?xml version="1.0"?>\n<!DOCTYPE nvidia_smi_log [<!ENTITY a "b">]>\n'
            "<nvidia_smi_log><attached_gpus>&a;</attached_gpus></nvidia_smi_log>\n")
    with pytest.raises(ImportInputError, match=r"^e\.xml: XML with entity or DTD declarations"):
        nvidia_smi_xml.parse(text, "e.xml")


def test_other_xml_is_refused() -> None:
    with pytest.raises(ImportInputError, match=r"root element is <log>"):
        nvidia_smi_xml.parse("<log/>", "x.xml")
    with pytest.raises(ImportInputError, match=r"no <attached_gpus>"):
        nvidia_smi_xml.parse("<nvidia_smi_log/>", "x.xml")
    assert not nvidia_smi_xml.sniff("<?xml version='1.0'?><log/>")


TEXT = """==============NVSMI LOG==============

Timestamp                                 : Thu Aug  1 10:00:00 2024
Driver Version                            : 570.86.15
CUDA Version                              : 12.8

Attached GPUs                             : 1
GPU 00000000:9B:00.0
    Product Name                          : NVIDIA H100 80GB HBM3
    Persistence Mode                      : Enabled
    MIG Mode
        Current                           : Enabled
        Pending                           : Disabled
    Serial Number                         : 1650124030635
    GPU UUID                              : GPU-2b6f61f9-8b00-3b57-d912-b62792120662
    VBIOS Version                         : 96.00.74.00.0D
    Board Part Number                     : 692-2G520-0200-000
    Inforom Version
        Image Version                     : G520.0200.00.05
    PCI
        Bus                               : 0x9B
        Device                            : 0x00
        Domain                            : 0x0000
        Device Id                         : 0x233010DE
        Bus Id                            : 00000000:9B:00.0
        Sub System Id                     : 0x16C110DE
        GPU Link Info
            PCIe Generation
                Max                       : 5
                Current                   : 4
                Device Current            : 4
                Device Max                : 5
                Host Max                  : 5
            Link Width
                Max                       : 16x
                Current                   : 8x
    Clocks Event Reasons
        Idle                              : Not Active
        Applications Clocks Setting       : Not Active
        SW Power Cap                      : Active
        HW Slowdown                       : Active
            HW Thermal Slowdown           : Active
            HW Power Brake Slowdown       : Not Active
        Sync Boost                        : Not Active
        SW Thermal Slowdown               : Not Active
        Display Clock Setting             : N/A
    FB Memory Usage
        Total                             : 81559 MiB
    ECC Mode
        Current                           : Enabled
        Pending                           : Enabled
    ECC Errors
        Volatile
            SRAM Correctable              : 1
            SRAM Uncorrectable Parity     : 0
            SRAM Uncorrectable SEC-DED    : 1
            DRAM Correctable              : 5
            DRAM Uncorrectable            : 2
        Aggregate
            SRAM Correctable              : 11
            SRAM Uncorrectable Parity     : 1
            SRAM Uncorrectable SEC-DED    : 1
            DRAM Correctable              : 50
            DRAM Uncorrectable            : 3
            SRAM Threshold Exceeded       : No
    Retired Pages
        Single Bit ECC                    : 2
        Double Bit ECC                    : 1
        Pending Page Blacklist            : Yes
    Remapped Rows
        Correctable Error                 : 1
        Uncorrectable Error               : 2
        Pending                           : Yes
        Remapping Failure Occurred        : No
    Temperature
        GPU Current Temp                  : 61 C
    GPU Power Readings
        Average Power Draw                : 512.34 W
        Instantaneous Power Draw          : 530.00 W
        Current Power Limit               : 700.00 W
        Requested Power Limit             : 700.00 W
    Clocks
        Graphics                          : 1755 MHz
        SM                                : 1755 MHz
        Memory                            : 2619 MHz
    Max Clocks
        Graphics                          : 1980 MHz
        SM                                : 1980 MHz
        Memory                            : 2619 MHz
    Fabric
        State                             : Completed
        Status                            : Success
        CliqueId                          : 32766
        ClusterUUID                       : abc9829a-d4c8-491c-8da5-ad28fb34876b
    Processes                             : None
"""

XML = """<?xml version="1.0" ?>
<!DOCTYPE nvidia_smi_log SYSTEM "nvsmi_device_v13.dtd">
<nvidia_smi_log>
  <timestamp>Thu Aug  1 10:00:00 2024</timestamp>
  <driver_version>570.86.15</driver_version>
  <cuda_version>12.8</cuda_version>
  <attached_gpus>1</attached_gpus>
  <gpu id="00000000:9B:00.0">
    <product_name>NVIDIA H100 80GB HBM3</product_name>
    <persistence_mode>Enabled</persistence_mode>
    <mig_mode><current_mig>Enabled</current_mig><pending_mig>Disabled</pending_mig></mig_mode>
    <serial>1650124030635</serial>
    <uuid>GPU-2b6f61f9-8b00-3b57-d912-b62792120662</uuid>
    <vbios_version>96.00.74.00.0D</vbios_version>
    <board_part_number>692-2G520-0200-000</board_part_number>
    <inforom_version><img_version>G520.0200.00.05</img_version></inforom_version>
    <pci>
      <pci_bus>9B</pci_bus><pci_device>00</pci_device><pci_domain>0000</pci_domain>
      <pci_device_id>233010DE</pci_device_id><pci_bus_id>00000000:9B:00.0</pci_bus_id>
      <pci_sub_system_id>16C110DE</pci_sub_system_id>
      <pci_gpu_link_info>
        <pcie_gen>
          <max_link_gen>5</max_link_gen><current_link_gen>4</current_link_gen>
          <device_current_link_gen>4</device_current_link_gen>
          <max_device_link_gen>5</max_device_link_gen><max_host_link_gen>5</max_host_link_gen>
        </pcie_gen>
        <link_widths><max_link_width>16x</max_link_width>
          <current_link_width>8x</current_link_width></link_widths>
      </pci_gpu_link_info>
    </pci>
    <clocks_event_reasons>@REASONS@</clocks_event_reasons>
    <fb_memory_usage><total>81559 MiB</total></fb_memory_usage>
    <ecc_mode><current_ecc>Enabled</current_ecc><pending_ecc>Enabled</pending_ecc></ecc_mode>
    <ecc_errors>
      <volatile>
        <sram_correctable>1</sram_correctable>
        <sram_uncorrectable_parity>0</sram_uncorrectable_parity>
        <sram_uncorrectable_secded>1</sram_uncorrectable_secded>
        <dram_correctable>5</dram_correctable><dram_uncorrectable>2</dram_uncorrectable>
      </volatile>
      <aggregate>
        <sram_correctable>11</sram_correctable>
        <sram_uncorrectable_parity>1</sram_uncorrectable_parity>
        <sram_uncorrectable_secded>1</sram_uncorrectable_secded>
        <dram_correctable>50</dram_correctable><dram_uncorrectable>3</dram_uncorrectable>
        <sram_threshold_exceeded>No</sram_threshold_exceeded>
      </aggregate>
    </ecc_errors>
    <retired_pages>
      <multiple_single_bit_retirement><retired_count>2</retired_count>
        <retired_pagelist></retired_pagelist></multiple_single_bit_retirement>
      <double_bit_retirement><retired_count>1</retired_count>
        <retired_pagelist></retired_pagelist></double_bit_retirement>
      <pending_blacklist>Yes</pending_blacklist>
      <pending_retirement>Yes</pending_retirement>
    </retired_pages>
    <remapped_rows>
      <remapped_row_corr>1</remapped_row_corr><remapped_row_unc>2</remapped_row_unc>
      <remapped_row_pending>Yes</remapped_row_pending>
      <remapped_row_failure>No</remapped_row_failure>
    </remapped_rows>
    <temperature><gpu_temp>61 C</gpu_temp></temperature>
    <gpu_power_readings>
      <average_power_draw>512.34 W</average_power_draw>
      <instant_power_draw>530.00 W</instant_power_draw>
      <current_power_limit>700.00 W</current_power_limit>
      <requested_power_limit>700.00 W</requested_power_limit>
    </gpu_power_readings>
    <clocks><graphics_clock>1755 MHz</graphics_clock><sm_clock>1755 MHz</sm_clock>
      <mem_clock>2619 MHz</mem_clock></clocks>
    <max_clocks><graphics_clock>1980 MHz</graphics_clock><sm_clock>1980 MHz</sm_clock>
      <mem_clock>2619 MHz</mem_clock></max_clocks>
    <fabric>
      <state>Completed</state><status>Success</status><cliqueId>32766</cliqueId>
      <clusterUuid>abc9829a-d4c8-491c-8da5-ad28fb34876b</clusterUuid>
    </fabric>
    <processes></processes>
  </gpu>
</nvidia_smi_log>
""".replace("@REASONS@", "".join(
    f"<clocks_event_reason_{name}>{state}</clocks_event_reason_{name}>"
    for name, state in (
        ("gpu_idle", "Not Active"), ("applications_clocks_setting", "Not Active"),
        ("sw_power_cap", "Active"), ("hw_slowdown", "Active"),
        ("hw_thermal_slowdown", "Active"), ("hw_power_brake_slowdown", "Not Active"),
        ("sync_boost", "Not Active"), ("sw_thermal_slowdown", "Not Active"),
        ("display_clocks_setting", "N/A"))))


def test_text_and_xml_of_one_gpu_record_the_same_calls() -> None:
    from_text = nvidia_smi_query.parse(TEXT, "q.txt")
    from_xml = nvidia_smi_xml.parse(XML, "q.xml")
    assert from_text.nvml_system == from_xml.nvml_system
    assert from_text.nvml_gpus == from_xml.nvml_gpus
    assert len(from_text.nvml_gpus[0]) == 32
    merged = Merged()
    merged.add(from_text, "q.txt")
    merged.add(from_xml, "q.xml")
    gpu = inventory_of(merged.parts).gpus[0]
    assert gpu == inventory_of(from_text).gpus[0]
    assert gpu == Gpu(
        index=0, uuid="GPU-2b6f61f9-8b00-3b57-d912-b62792120662", serial="1650124030635",
        board_part_number="692-2G520-0200-000", name="NVIDIA H100 80GB HBM3",
        pci_address="0000:9b:00.0", pci_device_id="2330", memory_total_bytes=81559 << 20,
        vbios_version="96.00.74.00.0D", inforom_image_version="G520.0200.00.05",
        driver_version="570.86.15", cuda_driver_version="12.8", persistence_mode=True,
        ecc_mode_current=True, ecc_mode_pending=True, ecc=EccCounts(6, 3, 61, 5),
        retired_pages_sbe=2, retired_pages_dbe=1, retired_pages_pending=True,
        remapped_rows=RemappedRows(1, 2, True, False), temperature_c=61,
        power_draw_w=512.34, power_limit_w=700.0, sm_clock_mhz=1755,
        memory_clock_mhz=2619, max_sm_clock_mhz=1980, max_memory_clock_mhz=2619,
        throttle_reasons=("sw_power_cap", "hw_slowdown", "hw_thermal_slowdown"),
        mig_mode_current=True, mig_mode_pending=False, pcie_gen_current=4, pcie_gen_max=5,
        pcie_width_current=8, pcie_width_max=16,
        fabric=FabricInfo(state="completed", status="SUCCESS", clique_id=32766,
                          cluster_uuid="abc9829ad4c8491c8da5ad28fb34876b"))
