import pytest

from hwaccept.importers.assemble import Conflict, Merged, merge_value
from hwaccept.importers.consistency import problems, warnings
from hwaccept.importers.parts import KERNEL_LOG_ARGV, Parts


def gpu_parts(index: int, bus_id: str, serial: str) -> Parts:
    parts = Parts()
    parts.gpu(index)["nvmlDeviceGetPciInfo"] = {"busId": bus_id}
    parts.gpu(index)["nvmlDeviceGetSerial"] = serial
    return parts


def test_objects_merge_key_by_key_and_other_values_must_be_equal() -> None:
    assert merge_value({"busId": "a", "bus": 1}, {"busId": "a", "domain": 0}, "x") == {
        "busId": "a", "bus": 1, "domain": 0}
    with pytest.raises(Conflict) as caught:
        merge_value({"busId": "a"}, {"busId": "b"}, "GPU 0 info")
    assert caught.value.what == "GPU 0 info.busId"


def test_a_contradiction_names_the_fact_both_values_and_the_earlier_input() -> None:
    merged = Merged()
    merged.add(gpu_parts(0, "00000000:19:00.0", "1650124031592"), "h100-q.txt")
    merged.add(gpu_parts(1, "00000000:3B:00.0", "1650124008135"), "other.txt")
    with pytest.raises(Conflict) as caught:
        merged.add(gpu_parts(0, "00000000:19:00.0", "999"), "later.txt")
    assert str(caught.value) == ("GPU 0 nvmlDeviceGetSerial is '999' here but "
                                 "'1650124031592' in h100-q.txt")


def test_files_links_and_commands_conflict_too_but_kernel_logs_join() -> None:
    first, second = Parts(), Parts()
    first.file("/sys/class/dmi/id/product_name", "PowerEdge XE9680")
    second.file("/sys/class/dmi/id/product_name", "PowerEdge R760xa")
    first.command(KERNEL_LOG_ARGV, "[1.0] a\n")
    second.command(KERNEL_LOG_ARGV, "[2.0] b\n")
    merged = Merged()
    merged.add(first, "one")
    with pytest.raises(Conflict, match=r"^/sys/class/dmi/id/product_name is 'PowerEdge R760xa'"):
        merged.add(second, "two")
    del second.files["/sys/class/dmi/id/product_name"]
    merged.add(second, "two")
    assert merged.parts.commands[KERNEL_LOG_ARGV] == "[1.0] a\n[2.0] b\n"


def pci_gpu(parts: Parts, address: str) -> None:
    directory = f"/sys/devices/pci0000:00/{address}"
    parts.link(f"/sys/bus/pci/devices/{address}", directory)
    parts.file(f"{directory}/vendor", "0x10de")
    parts.file(f"{directory}/class", "0x030200")


def test_nvml_gpus_and_pci_tree_gpus_must_be_the_same_devices() -> None:
    parts = gpu_parts(0, "00000001:00:00.0", "1")
    pci_gpu(parts, "000b:00:00.0")
    said_by = {"nvml 0 nvmlDeviceGetPciInfo": "retired-pages.txt"}
    assert problems(parts, said_by) == [
        "the GPUs in retired-pages.txt (0001:00:00.0) are not the NVIDIA GPUs of the PCI "
        "tree (000b:00:00.0): these inputs come from different machines"]
    agreeing = gpu_parts(0, "0000000B:00:00.0", "1")
    pci_gpu(agreeing, "000b:00:00.0")
    assert problems(agreeing, {}) == []


def test_gpu_count_must_cover_every_gpu_described() -> None:
    parts = gpu_parts(7, "00000000:DB:00.0", "1")
    parts.nvml_system["nvmlDeviceGetCount"] = 4
    assert problems(parts, {"nvml nvmlDeviceGetCount": "topo.txt"}) == [
        "topo.txt counts 4 GPUs but another input describes GPU 7"]


def test_a_log_loading_another_driver_is_a_warning() -> None:
    parts = Parts()
    parts.command(KERNEL_LOG_ARGV, "kern  :warn  : 2025-01-17T15:36:55,407914+00:00 NVRM: "
                                   "loading NVIDIA UNIX x86_64 Kernel Module  550.90.07  Fri May "
                                   "31 09:35:42 UTC 2024\n")
    parts.nvml_system["nvmlSystemGetDriverVersion"] = "535.161.08"
    said_by = {"command ('dmesg',)": "boot.log", "nvml nvmlSystemGetDriverVersion": "q.txt"}
    assert warnings(parts, said_by) == [
        "the kernel log (boot.log) last loaded NVIDIA driver 550.90.07, but q.txt reports "
        "535.161.08: another boot, or another machine"]
    parts.nvml_system["nvmlSystemGetDriverVersion"] = "550.90.07"
    assert warnings(parts, said_by) == []
