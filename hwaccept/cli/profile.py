"""`hwaccept profile ...`: validate, show, draft and check per-SKU profiles."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

import yaml

from hwaccept.profiles.catalog import (
    ProfileError,
    Resolved,
    profiles_dir,
    resolve,
    resolve_all,
)
from hwaccept.profiles.schema import Profile

EXIT_USAGE = 2
SCHEMA_FILE = "schema.json"


def validate(args: argparse.Namespace) -> int:
    """Every problem of every file, one per line; exit 2 if any."""
    problems = resolve_all(args.files)
    for problem in problems:
        print(problem, file=sys.stderr)
    if problems:
        files = len({p.file for p in problems})
        print(f"hwaccept: {len(problems)} problem{'s' if len(problems) > 1 else ''} in "
              f"{files} of {len(args.files)} file{'s' if len(args.files) > 1 else ''}",
              file=sys.stderr)
        return EXIT_USAGE
    print(f"{len(args.files)} profile{'s' if len(args.files) > 1 else ''} valid",
          file=sys.stderr)
    return 0


def resolved_or_report(name: str) -> Resolved | None:
    """The profile with its parents merged in, or None after printing every problem."""
    try:
        return resolve(name)
    except ProfileError as exc:
        for problem in exc.problems:
            print(problem, file=sys.stderr)
        return None


def show(args: argparse.Namespace) -> int:
    """The merged profile, as YAML with where it came from."""
    resolved = resolved_or_report(args.name)
    if resolved is None:
        return EXIT_USAGE
    print(f"# {resolved.name}: {resolved.path}")
    print(f"# merged from: {' <- '.join(resolved.chain)}")
    print(f"# sha256: {resolved.sha256}")
    print(yaml.safe_dump(resolved.data, sort_keys=False, default_flow_style=False,
                         allow_unicode=True), end="")
    return 0


HEADER = "# yaml-language-server: $schema={schema}\n"


def init(args: argparse.Namespace) -> int:
    """Draft a profile from a snapshot (or this machine); it must validate."""
    import os
    from datetime import date

    from hwaccept.inventory.build import build_inventory
    from hwaccept.profiles.draft import draft, slug
    from hwaccept.profiles.validate import validate as validate_data
    from hwaccept.profiles.yaml_source import parse_text
    from hwaccept.sources import open_sources

    inventory = build_inventory(open_sources(args.from_snapshot, "/", 10.0))
    source = os.path.basename(args.from_snapshot) if args.from_snapshot else "this machine"
    out = Path(args.output) if args.output else None
    sku = args.sku or slug(out.stem if out else inventory.system.product or "drafted")
    data = draft(inventory, sku, source, date.today())
    schema_path = default_schema_path()
    where = str(schema_path)
    if out is not None and schema_path.parent.parent in out.resolve().parents:
        where = os.path.relpath(schema_path, out.resolve().parent)
        where = where if where.startswith(".") else f"./{where}"
    text = HEADER.format(schema=where) + yaml.safe_dump(
        data, sort_keys=False, default_flow_style=False, allow_unicode=True, width=96)
    profile, problems = validate_data(parse_text(str(out or "<draft>"), text))
    if profile is None:
        for problem in problems:
            print(problem, file=sys.stderr)
        return EXIT_USAGE
    if out is None:
        print(text, end="")
        return 0
    out.write_text(text)
    print(f"wrote {out}: profile {sku} drafted from {source}; tighten it before use",
          file=sys.stderr)
    return 0


def check(args: argparse.Namespace) -> int:
    """Every way the machine and the profile disagree; exit 1 when they do."""
    from datetime import date

    from hwaccept.checks.findings import Finding
    from hwaccept.checks.render import render_findings
    from hwaccept.checks.run import check_all, disagreements
    from hwaccept.inventory.build import build_inventory
    from hwaccept.inventory.serialize import to_data
    from hwaccept.sources import open_sources

    resolved = resolved_or_report(args.name)
    if resolved is None:
        return EXIT_USAGE
    inventory = build_inventory(open_sources(args.snapshot, "/", 10.0))
    findings: list[Finding] = check_all(resolved.profile, inventory, date.today())
    if args.json:
        print(json.dumps({"profile": resolved.name, "path": resolved.path,
                          "sha256": resolved.sha256, "machine": inventory.origin,
                          "findings": [to_data(f) for f in findings]}, indent=1))
    else:
        print(f"Profile {resolved.name} ({resolved.path}) against {inventory.origin}\n")
        print(render_findings(findings, everything=args.all), end="")
    return 1 if disagreements(findings) else 0


def schema_json() -> str:
    """The JSON Schema of profiles, as written to profiles/schema.json."""
    return json.dumps(Profile.model_json_schema(), indent=2, sort_keys=False) + "\n"


def schema(args: argparse.Namespace) -> int:
    """Print the JSON Schema, or write it (`-o`)."""
    text = schema_json()
    if args.output:
        Path(args.output).write_text(text)
        print(f"wrote {args.output}", file=sys.stderr)
    else:
        print(text, end="")
    return 0


def default_schema_path() -> Path:
    """profiles/schema.json beside the named profiles."""
    return profiles_dir() / SCHEMA_FILE
