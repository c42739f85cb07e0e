#!/usr/bin/env python3
"""Checks that the flatpak manifest parses and builds the app it names."""
import json
import sys

path, app_id = sys.argv[1], sys.argv[2]
with open(path, encoding="utf-8") as f:
    manifest = json.load(f)

errors = []
if manifest.get("app-id", manifest.get("id")) != app_id:
    errors.append(f"app-id is {manifest.get('app-id')!r}, expected {app_id!r}")
if manifest.get("command") != "kehu":
    errors.append("command must be kehu")
if not str(manifest.get("runtime", "")).startswith("org.gnome.Platform"):
    errors.append("runtime must be the GNOME platform")
names = [m.get("name") for m in manifest.get("modules", []) if isinstance(m, dict)]
for needed in ("libxlsxwriter", "kehu"):
    if needed not in names:
        errors.append(f"no module named {needed}")
if names and names[-1] != "kehu":
    errors.append("kehu must be the last module, after its dependencies")
for m in manifest.get("modules", []):
    for s in m.get("sources", []) if isinstance(m, dict) else []:
        if s.get("type") == "archive" and not s.get("sha256"):
            errors.append(f"archive source of {m.get('name')} has no sha256")
        if s.get("type") == "git" and not (s.get("commit") or s.get("tag")):
            errors.append(f"git source of {m.get('name')} is not pinned")

if errors:
    for e in errors:
        print(f"{path}: {e}", file=sys.stderr)
    sys.exit(1)
print(f"{path}: ok ({', '.join(names)})")
