#!/usr/bin/env python3
"""Size limits of the code (issue 19): no file over 600 lines and no function over 150
lines in src/, apps/ and include/. CLI11 option tables are excepted: a function whose
body is mostly `add_option`/`add_flag`/`add_subcommand` calls may be longer.

Functions are found by their braces: a `{` that follows a parameter list `)` (and
qualifiers such as const, noexcept, override, a trailing return type or a constructor's
initializers) opens a function body, unless a control statement owns it. Lambdas inside a
function count toward it. Usage: check_sizes.py [ROOT]"""

import os
import re
import sys

MAX_FILE = 600
MAX_FUNCTION = 150
DIRS = ("src", "apps", "include")
CONTROL = re.compile(r"\b(if|for|while|switch|catch|do|else)\s*$")
INIT_MEMBER = re.compile(r"\)\s*:\s*[\w:]+\s*[({].*[\w>]$")  # `X(...) : a_(b), c_` before a `{`
OPTION_TABLE = re.compile(r"add_(option|flag|subcommand|option_function)\b")


def strip(text):
    """Comments, string and character literals blanked; newlines kept."""
    out, i, n = [], 0, len(text)
    while i < n:
        c = text[i]
        if text.startswith("//", i):
            j = text.find("\n", i)
            j = n if j < 0 else j
            out.append(" " * (j - i))
            i = j
        elif text.startswith("/*", i):
            j = text.find("*/", i + 2)
            j = n if j < 0 else j + 2
            out.append(re.sub(r"[^\n]", " ", text[i:j]))
            i = j
        elif text.startswith('R"', i):
            m = re.match(r'R"([^(]*)\(', text[i:])
            end = text.find(")" + m.group(1) + '"', i) if m else -1
            j = n if end < 0 else end + len(m.group(1)) + 2
            out.append(re.sub(r"[^\n]", " ", text[i:j]))
            i = j
        elif c == "'" and 0 < i < n - 1 and text[i - 1].isalnum() and text[i + 1].isalnum():
            out.append(c)  # a digit separator: 60'000
            i += 1
        elif c in "\"'":
            j = i + 1
            while j < n and text[j] != c:
                j += 2 if text[j] == "\\" else 1
            out.append(" " * (min(j + 1, n) - i))
            i = j + 1
        else:
            out.append(c)
            i += 1
    return "".join(out)


def opens_function(before):
    """Whether a `{` preceded by `before` (the text since the last ; { or }) opens a body."""
    s = " ".join(l for l in before.splitlines() if not l.lstrip().startswith("#"))
    s = " ".join(s.split())
    if not s:
        return False
    # A constructor's initializer list: `X(...) : a_(b), c_{d}` then `{`.
    s = re.sub(r"\)\s*:\s*[\w:]+\s*[({].*$", ")", s) if re.search(r"\)\s*:\s*[\w:]", s) else s
    s = re.sub(r"(\s*(const|noexcept|override|final|mutable|volatile|&&|&)\b)*\s*$", "", s)
    s = re.sub(r"\s*->\s*[\w:<>,\s*&]+$", "", s)  # trailing return type
    s = re.sub(r"\s*noexcept\s*\([^)]*\)\s*$", "", s)
    if not s.endswith(")"):
        return False
    depth, k = 0, len(s) - 1
    while k >= 0:  # the matching (
        depth += s[k] == ")"
        depth -= s[k] == "("
        if depth == 0:
            break
        k -= 1
    head = s[:k].rstrip()
    return bool(head) and not CONTROL.search(head) and not head.endswith(("=", "return", ","))


def functions(text):
    """(first line, last line, body text) of each outermost function body."""
    clean = strip(text)
    found, depth, start, start_depth, last = [], 0, None, 0, 0
    member_init = []  # per open brace: a member's braced initializer in a constructor's list
    for i, c in enumerate(clean):
        if c == "{":
            before = " ".join(clean[last:i].split())
            init = start is None and bool(INIT_MEMBER.search(before))
            if start is None and not init and opens_function(clean[last:i]):
                start, start_depth = i, depth
            member_init.append(init)
            depth += 1
            if not member_init[-1]:
                last = i + 1
        elif c == "}":
            depth -= 1
            if not (member_init and member_init.pop()):
                last = i + 1
            if start is not None and depth == start_depth:
                found.append((clean.count("\n", 0, start) + 1, clean.count("\n", 0, i) + 1, text[start:i]))
                start = None
        elif c == ";":
            last = i + 1
    return found


def self_test():
    """The finder on made-up code: it must see a long function, and only that."""
    body = "  int x = 60'000;  // {\n" * 160
    long_fn = "#include <x>\nint f(int a) const {\n" + body + "}\n"
    lengths = [last - first + 1 for first, last, _ in functions(long_fn)]
    assert lengths == [162], lengths
    methods = "struct S {\n" + "  int g() { return \"}\"; }\n" * 160 + "};\n"
    assert max(last - first + 1 for first, last, _ in functions(methods)) == 1
    ctor = "S::S(int a) : a_(a), b_{a} {\n" + "  if (a) {\n  }\n" * 80 + "}\n"
    assert [last - first + 1 for first, last, _ in functions(ctor)] == [162]
    control = "void h() {\n  for (;;) {\n  }\n  while (x) {\n  }\n}\n"
    assert len(functions(control)) == 1


def main():
    self_test()
    root = sys.argv[1] if len(sys.argv) > 1 else "."
    bad = []
    for top in DIRS:
        for dirpath, _, names in os.walk(os.path.join(root, top)):
            for name in sorted(names):
                if not name.endswith((".cpp", ".hpp", ".h", ".cc")):
                    continue
                path = os.path.join(dirpath, name)
                rel = os.path.relpath(path, root)
                text = open(path, encoding="utf-8").read()
                lines = text.count("\n")
                if lines > MAX_FILE:
                    bad.append(f"{rel}: {lines} lines (at most {MAX_FILE})")
                for first, last, body in functions(text):
                    length = last - first + 1
                    if length <= MAX_FUNCTION:
                        continue
                    if len(OPTION_TABLE.findall(body)) * 3 >= length // 4:
                        continue  # a CLI11 option table
                    bad.append(f"{rel}:{first}: a function of {length} lines (at most {MAX_FUNCTION})")
    for b in bad:
        print("sizes:", b)
    if not bad:
        print("sizes: ok")
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
