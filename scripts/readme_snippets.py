#!/usr/bin/env python3
"""Writes the code blocks of a README that are marked as files, so that a test can run
them as written (scripts/test-go.sh, test-rust.sh and test-python.sh do).

A block is marked by an HTML comment (invisible on the rendered page) on the line before
its opening fence:

    <!-- file: hello_test.go -->
    ```go
    package hello
    ...
    ```

    usage: readme_snippets.py README.md OUTDIR   (prints the names it wrote)

Blocks marked with the same name are appended to one file, in order. A marked block that
is not followed by a fence is an error, so a README edit cannot silently drop a snippet.
"""

import os
import re
import sys

MARK = re.compile(r"^<!--\s*file:\s*(\S+)\s*-->\s*$")
FENCE = re.compile(r"^(```+|~~~+)")


def snippets(text):
    lines = text.splitlines()
    i = 0
    while i < len(lines):
        m = MARK.match(lines[i])
        i += 1
        if not m:
            continue
        name = m.group(1)
        if i >= len(lines) or not FENCE.match(lines[i]):
            raise SystemExit(f"line {i}: '{name}' is not followed by a code block")
        fence = FENCE.match(lines[i]).group(1)
        body = []
        i += 1
        while i < len(lines) and not lines[i].startswith(fence):
            body.append(lines[i])
            i += 1
        if i >= len(lines):
            raise SystemExit(f"'{name}': unterminated code block")
        i += 1
        yield name, "\n".join(body) + "\n"


def main():
    if len(sys.argv) != 3:
        raise SystemExit(__doc__)
    readme, out = sys.argv[1], sys.argv[2]
    with open(readme, encoding="utf-8") as f:
        text = f.read()
    written = {}
    for name, body in snippets(text):
        if os.path.isabs(name) or ".." in name.split("/"):
            raise SystemExit(f"'{name}': snippet names are relative paths inside OUTDIR")
        written[name] = written.get(name, "") + body
    if not written:
        raise SystemExit(f"{readme}: no marked code blocks")
    for name, body in written.items():
        path = os.path.join(out, name)
        os.makedirs(os.path.dirname(path) or out, exist_ok=True)
        with open(path, "w", encoding="utf-8") as f:
            f.write(body)
        print(name)


if __name__ == "__main__":
    main()
