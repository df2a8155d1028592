"""The core's folders depend downward only: no file in core/ includes a
header from a folder at its own level or above (its own folder excepted).
The levels are written down in README.md ("Architecture"); this test is
their enforcement. It reads every #include "folder/..." in core/."""
import os
import re
import sys

# Lower numbers are lower levels. A folder may include its own headers and
# those of any folder with a smaller number.
LEVELS = {
    "common": 0,
    "admin": 1,     # the endpoint table every folder may register into
    "access_log": 2,  # access log formats and files; the server fills their facts
    "http": 2,
    "stats": 2,
    "config": 3,    # the compiled, immutable config (and config.pb.h)
    "upstream": 4,
    "module": 4,
    "router": 5,
    "server": 6,
}
GENERATED = {"config.pb.h": "config"}
INCLUDE = re.compile(r'^\s*#\s*include\s+"([^"]+)"', re.MULTILINE)


def folder_of(include: str) -> str | None:
    if include in GENERATED:
        return GENERATED[include]
    head = include.split("/", 1)[0]
    return head if "/" in include and head in LEVELS else None


def violations(core_dir: str) -> list[str]:
    found = []
    for folder in sorted(os.listdir(core_dir)):
        path = os.path.join(core_dir, folder)
        if not os.path.isdir(path) or folder in ("include", "proto"):
            continue
        if folder not in LEVELS:
            found.append(f"core/{folder}/ has no level in test/layering_test.py (and README.md)")
            continue
        for root, _, files in os.walk(path):
            for name in sorted(files):
                if not name.endswith((".h", ".cc")):
                    continue
                with open(os.path.join(root, name), encoding="utf-8") as source:
                    for include in INCLUDE.findall(source.read()):
                        target = folder_of(include)
                        if target is None or target == folder:
                            continue
                        if LEVELS[target] >= LEVELS[folder]:
                            found.append(f"core/{folder}/{name} includes \"{include}\": {target}/ is not below {folder}/")
    return found


def main() -> int:
    core_dir = os.path.join(os.environ.get("SWITCHYARD_SOURCE_ROOT", os.path.join(os.path.dirname(__file__), "..")),
                            "core")
    found = violations(core_dir)
    for line in found:
        print(line)
    print(f"layering: {len(found)} violation(s)")
    return 1 if found else 0


if __name__ == "__main__":
    sys.exit(main())
