"""`hwaccept profile ...`: validate, show, draft and check per-SKU profiles."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

import yaml

from hwaccept.profiles.catalog import ProfileError, profiles_dir, resolve, resolve_all
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


def show(args: argparse.Namespace) -> int:
    """The merged profile, as YAML with where it came from."""
    try:
        resolved = resolve(args.name)
    except ProfileError as exc:
        for problem in exc.problems:
            print(problem, file=sys.stderr)
        return EXIT_USAGE
    print(f"# {resolved.name}: {resolved.path}")
    print(f"# merged from: {' <- '.join(resolved.chain)}")
    print(f"# sha256: {resolved.sha256}")
    print(yaml.safe_dump(resolved.data, sort_keys=False, default_flow_style=False,
                         allow_unicode=True), end="")
    return 0


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
