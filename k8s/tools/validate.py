#!/usr/bin/env python3
"""Validates Kubernetes manifests offline.

usage: validate.py SCHEMA_DIR FILE.yaml...   (a FILE of '-' reads a rendered stream from stdin)

Custom resources (KServe, Knative, KEDA) are checked against the strict JSON Schemas in SCHEMA_DIR, named
<kind>-<group>-<version>-strict.json: unknown fields fail. Built-in kinds and PodMonitor are listed as BUILTIN for
validate-builtin.mjs; Kustomization files are skipped. Exits 1 if any document fails or has no checker.
Needs python3-yaml and python3-jsonschema.
"""
import json
import pathlib
import sys

import jsonschema
import yaml

BUILTIN = {("v1", "Service"), ("v1", "ConfigMap"), ("apps/v1", "Deployment"),
           ("autoscaling/v2", "HorizontalPodAutoscaler"), ("monitoring.coreos.com/v1", "PodMonitor")}


def documents(path):
    text = sys.stdin.read() if path == "-" else pathlib.Path(path).read_text()
    return [d for d in yaml.safe_load_all(text) if d]


def check(doc, schemas):
    api, kind = doc.get("apiVersion", ""), doc.get("kind", "")
    name = doc.get("metadata", {}).get("name", "?")
    if kind == "Kustomization":
        return "SKIP", f"{kind}"
    if (api, kind) in BUILTIN:
        return "BUILTIN", f"{kind} {name}"
    if "/" not in api:
        return "FAIL", f"{kind} {name}: no schema for apiVersion {api!r}"
    group, version = api.split("/", 1)
    schema_file = schemas / f"{kind.lower()}-{group}-{version}-strict.json"
    if not schema_file.exists():
        return "FAIL", f"{kind} {name}: no schema {schema_file.name}"
    schema = json.loads(schema_file.read_text())
    errors = sorted(jsonschema.Draft7Validator(schema).iter_errors(doc), key=lambda e: list(e.path))
    if errors:
        detail = "; ".join(f"{'/'.join(map(str, e.path)) or '<root>'}: {e.message}" for e in errors[:5])
        return "FAIL", f"{kind} {name}: {detail}"
    return "PASS", f"{kind} {name}"


def main(argv):
    if len(argv) < 3:
        print(__doc__, file=sys.stderr)
        return 2
    schemas = pathlib.Path(argv[1])
    failed = False
    for path in argv[2:]:
        for doc in documents(path):
            verdict, what = check(doc, schemas)
            failed |= verdict == "FAIL"
            print(f"{verdict:8} {path}: {what}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
