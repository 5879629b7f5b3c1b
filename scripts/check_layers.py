#!/usr/bin/env python3
"""Layering check: a file of src/ may include headers of its own layer and of the layers its
CMake library links to (directly or through others), never of a layer above it. The graph is
read from the CMakeLists.txt of each folder (add_library + target_link_libraries), so a new
layer is checked as soon as it exists. The linker catches only out-of-line calls; an include
of a higher layer's header that uses nothing out of line would build and link unnoticed.

The public headers (include/lunatic/*.hpp, next to SRC_DIR) are the top of the stack and
what the install ships alone: each may include only the standard library (<vector>) and the
other public headers (<lunatic/module.hpp>), never a layer's header.

    scripts/check_layers.py [SRC_DIR]     exit 0: clean, 1: violations (listed), 2: bad input
"""
import re
import sys
from pathlib import Path

ADD_LIBRARY = re.compile(r"add_library\(\s*(lunatic_\w+)")
LINKS = re.compile(r"target_link_libraries\(\s*(lunatic_\w+)([^)]*)\)", re.S)
INCLUDE = re.compile(r'^\s*#\s*include\s+"([^"]+)"', re.M)
ANY_INCLUDE = re.compile(r'^\s*#\s*include\s*([<"])([^>"]+)[>"]', re.M)
# A standard library header: a bare name without extension (<vector>, <cstdint>).
STANDARD = re.compile(r"^[a-z_]+$")


def read_layers(src: Path):
    """{folder relative to src: library}, {library: set of libraries it links to}."""
    folder_lib, links = {}, {}
    for cmake in sorted(src.rglob("CMakeLists.txt")):
        text = cmake.read_text()
        libs = ADD_LIBRARY.findall(text)
        if not libs:
            continue
        folder_lib[cmake.parent.relative_to(src).as_posix()] = libs[0]
        for lib in libs:
            links.setdefault(lib, set())
        for lib, deps in LINKS.findall(text):
            links.setdefault(lib, set()).update(re.findall(r"\blunatic_\w+", deps))
    return folder_lib, links


def closure(lib, links):
    seen, todo = set(), [lib]
    while todo:
        for dep in links.get(todo.pop(), ()):
            if dep not in seen:
                seen.add(dep)
                todo.append(dep)
    return seen


def layer_of(path: str, folder_lib):
    """The library whose folder holds `path` (the longest matching folder), or None."""
    parts = path.split("/")
    for n in range(len(parts) - 1, 0, -1):
        lib = folder_lib.get("/".join(parts[:n]))
        if lib:
            return lib
    return None


def public_header_violations(include: Path):
    """What the public headers include besides the standard library and each other."""
    violations = []
    public = include / "lunatic"
    for file in sorted(public.glob("*.hpp")):
        rel = file.relative_to(include).as_posix()
        for quote, header in ANY_INCLUDE.findall(file.read_text(errors="replace")):
            if quote == "<" and STANDARD.match(header):
                continue
            if quote == "<" and header.startswith("lunatic/") and (include / header).is_file():
                continue
            violations.append(f"{rel}: includes {quote}{header}{'>' if quote == '<' else quote}: a public header may include "
                              "only <standard> headers and <lunatic/...> public ones")
    return violations


def main() -> int:
    src = Path(sys.argv[1] if len(sys.argv) > 1 else Path(__file__).parent.parent / "src")
    folder_lib, links = read_layers(src)
    if not folder_lib:
        print(f"check_layers: no CMake libraries under {src}", file=sys.stderr)
        return 2
    violations = []
    for file in sorted(p for p in src.rglob("*") if p.suffix in (".cpp", ".hpp", ".h", ".def")):
        rel = file.relative_to(src).as_posix()
        own = layer_of(rel, folder_lib)
        if own is None:
            continue
        allowed = closure(own, links) | {own}
        for header in INCLUDE.findall(file.read_text(errors="replace")):
            target = layer_of(header, folder_lib)
            if target is not None and target not in allowed and (src / header).exists():
                violations.append(f"{rel}: includes \"{header}\" ({target}), "
                                  f"which {own} does not link to")
    include = src.parent / "include"
    if (include / "lunatic").is_dir():
        violations += public_header_violations(include)
    for v in violations:
        print(f"check_layers: {v}")
    print(f"check_layers: {len(folder_lib)} layers, "
          f"{'no upward include' if not violations else f'{len(violations)} upward includes'}")
    return 1 if violations else 0


if __name__ == "__main__":
    sys.exit(main())
