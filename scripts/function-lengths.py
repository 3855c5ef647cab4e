#!/usr/bin/env python3
"""Prints every function in src/ longer than the limit (default 100 lines, signature to closing
brace), longest first, and exits 1 if there is one. Strings, chars and comments are skipped when
matching braces."""
import pathlib
import re
import sys

LIMIT = int(sys.argv[1]) if len(sys.argv) > 1 else 100
ROOT = pathlib.Path(__file__).resolve().parent.parent
FN = re.compile(r'\bfn\s+([A-Za-z_][A-Za-z0-9_]*)')


def code_only(text):
    """The text with string, char and comment contents blanked (newlines kept)."""
    out, i, n = [], 0, len(text)
    while i < n:
        c = text[i]
        if text.startswith('//', i):
            j = text.find('\n', i)
            j = n if j < 0 else j
            out.append(' ' * (j - i)); i = j
        elif text.startswith('/*', i):
            j = text.find('*/', i + 2)
            j = n if j < 0 else j + 2
            out.append(re.sub(r'[^\n]', ' ', text[i:j])); i = j
        elif c == 'r' and re.match(r'r#*"', text[i:i + 10]) and (i == 0 or not text[i - 1].isalnum()):
            hashes = re.match(r'r(#*)"', text[i:]).group(1)
            end = '"' + hashes
            j = text.find(end, i + 2 + len(hashes))
            j = n if j < 0 else j + len(end)
            out.append(re.sub(r'[^\n]', ' ', text[i:j])); i = j
        elif c == '"':
            j = i + 1
            while j < n and text[j] != '"':
                j += 2 if text[j] == '\\' else 1
            j += 1
            out.append(re.sub(r'[^\n]', ' ', text[i:j])); i = j
        elif c == "'" and re.match(r"'(\\.|[^\\'])'", text[i:i + 4]):
            m = re.match(r"'(\\.|[^\\'])'", text[i:i + 4])
            out.append(' ' * len(m.group(0))); i += len(m.group(0))
        else:
            out.append(c); i += 1
    return ''.join(out)


found = []
for path in sorted((ROOT / 'src').rglob('*.rs')):
    code = code_only(path.read_text())
    for m in FN.finditer(code):
        open_at = code.find('{', m.end())
        semi = code.find(';', m.end())
        if open_at < 0 or (0 <= semi < open_at):
            continue  # a declaration without a body
        depth, j = 0, open_at
        while j < len(code):
            if code[j] == '{':
                depth += 1
            elif code[j] == '}':
                depth -= 1
                if depth == 0:
                    break
            j += 1
        lines = code.count('\n', m.start(), j) + 1
        if lines > LIMIT:
            start = code.count('\n', 0, m.start()) + 1
            found.append((lines, f'{path.relative_to(ROOT)}:{start}', m.group(1)))

for lines, where, name in sorted(found, reverse=True):
    print(f'{lines:5d} lines  {where}  fn {name}')
print(f'function-lengths: {len(found)} function(s) over {LIMIT} lines in src/')
sys.exit(1 if found else 0)
