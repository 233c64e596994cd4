#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Writes cl100k_base.ranks.gz from the cl100k_base ranks of the npm package
js-tiktoken (dist/ranks/cl100k_base.js; MIT licence, see README.md here).

usage: convert-ranks.py path/to/cl100k_base.js cl100k_base.ranks.gz

Output, gzip-compressed: the token byte strings in rank order, rank 0 first,
each as one length byte and the bytes. The ranks of cl100k_base run from 0
without gaps, so a token's rank is its index.
"""
import base64, gzip, json, sys

src, dst = sys.argv[1], sys.argv[2]
text = open(src, encoding="utf-8").read()
data = json.loads(text[text.index("{"):text.rindex("}") + 1])
ranks = {}
for line in data["bpe_ranks"].split("\n"):
    if not line:
        continue
    _, offset, *tokens = line.split(" ")
    for i, tok in enumerate(tokens):
        ranks[int(offset) + i] = base64.b64decode(tok)
n = len(ranks)
assert sorted(ranks) == list(range(n)), "ranks have gaps"
out = bytearray()
for r in range(n):
    tok = ranks[r]
    assert 0 < len(tok) < 256
    out.append(len(tok))
    out += tok
with gzip.GzipFile(dst, "wb", compresslevel=9, mtime=0) as f:
    f.write(bytes(out))
print(f"{n} ranks, {len(out)} bytes before compression", file=sys.stderr)
print("pattern:", data["pat_str"], file=sys.stderr)
print("special:", data["special_tokens"], file=sys.stderr)
