#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Fails when a file of the core includes a header of a higher wing.

The core (src/core) is split into wings, one folder each. A wing may
include its own headers and those of the wings below it:

    base < specs, vcs < agents < runners < sessions < validate < devlog < metrics

specs and vcs are siblings: neither includes the other (git knows folders
and branches, not specs). Every `#include "..."` of every .c and .h under
the core is read; the header's file name is looked up among the headers of
all wings (names are unique across the core) and the include is refused
when that wing ranks higher than the including file's wing, or is a
sibling. Headers found in no wing (config.h, anything generated) are not
judged. A folder of the core that is not a known wing, a source file
outside every wing, and a header name found in two wings are errors too,
so the map cannot silently go stale. Two wings including each other are
reported as such, in addition to the wrong-way include that makes it so.

Usage: check-wing-includes.py [CORE_DIR]   (default: src/core beside tests/)
       check-wing-includes.py --self-test
Exit status 0 when clean, 1 with one line per violation on stderr.
"""

import os
import re
import sys
import tempfile

# Rank of each wing: a wing sees its own rank's headers only in itself,
# and every lower rank's.
WINGS = {
    'base': 0,
    'specs': 1,
    'vcs': 1,
    'agents': 2,
    'runners': 3,
    'sessions': 4,
    'validate': 5,
    'devlog': 6,
    'metrics': 7,
}

INCLUDE = re.compile(r'^\s*#\s*include\s*"([^"]+)"')
SOURCES = ('.c', '.h')


def walk_sources(top):
    for dirpath, dirnames, filenames in os.walk(top):
        dirnames.sort()
        for name in sorted(filenames):
            if name.endswith(SOURCES):
                yield os.path.join(dirpath, name)


def check(core):
    """Returns the list of violations (strings) of the tree at @core."""
    problems = []
    headers = {}  # header file name -> wing

    for entry in sorted(os.listdir(core)):
        path = os.path.join(core, entry)
        if os.path.isdir(path):
            if entry not in WINGS:
                problems.append('%s: a folder that is not a known wing (%s)'
                                % (path, ', '.join(sorted(WINGS))))
        elif entry.endswith(SOURCES):
            problems.append('%s: a source file outside every wing' % path)

    for wing in sorted(WINGS):
        top = os.path.join(core, wing)
        if not os.path.isdir(top):
            continue
        for path in walk_sources(top):
            name = os.path.basename(path)
            if not name.endswith('.h'):
                continue
            if name in headers and headers[name] != wing:
                problems.append('%s: header name also in wing %s' % (path, headers[name]))
            headers[name] = wing

    edges = {}  # (from wing, to wing) -> first "file:line"
    for wing in sorted(WINGS):
        top = os.path.join(core, wing)
        if not os.path.isdir(top):
            continue
        for path in walk_sources(top):
            with open(path, encoding='utf-8', errors='replace') as f:
                for lineno, line in enumerate(f, 1):
                    m = INCLUDE.match(line)
                    if m is None:
                        continue
                    included = m.group(1)
                    target = headers.get(os.path.basename(included))
                    if target is None or target == wing:
                        continue
                    where = '%s:%d' % (path, lineno)
                    edges.setdefault((wing, target), where)
                    if WINGS[target] > WINGS[wing]:
                        problems.append('%s: includes %s (wing %s, higher than %s)'
                                        % (where, included, target, wing))
                    elif WINGS[target] == WINGS[wing]:
                        problems.append('%s: includes %s (wing %s, a sibling of %s)'
                                        % (where, included, target, wing))

    for (a, b), where in sorted(edges.items()):
        if a < b and (b, a) in edges:
            problems.append('wings %s and %s include each other (%s, %s)'
                            % (a, b, where, edges[(b, a)]))
    return problems


def self_test():
    """The checker must pass a clean tree and catch each kind of wrong way."""
    def write(root, rel, text):
        path = os.path.join(root, rel)
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, 'w') as f:
            f.write(text)

    failures = []
    with tempfile.TemporaryDirectory() as root:
        write(root, 'base/lean-b.h', '#pragma once\n')
        write(root, 'specs/lean-s.h', '#include "lean-b.h"\n')
        write(root, 'vcs/lean-v.h', '#include "lean-b.h"\n')
        write(root, 'agents/lean-a.c', '#include "config.h"\n#include "lean-s.h"\n')
        write(root, 'agents/lean-a.h', '#include <glib.h>\n')
        write(root, 'sessions/lean-x.c', '#include "lean-a.h"\n#include "lean-v.h"\n')
        clean = check(root)
        if clean:
            failures.append('a clean tree was refused: %s' % clean)

        # The wrong way: base includes an agents header, which agents (through
        # specs) includes back; and vcs includes its sibling specs.
        write(root, 'base/lean-b.c', '#include "lean-b.h"\n\n#include "lean-a.h"\n')
        write(root, 'agents/lean-a.h', '#include "lean-b.h"\n')
        write(root, 'vcs/lean-v.c', ' #  include "lean-s.h"\n')
        found = check(root)
        expected = [
            '%s:3: includes lean-a.h (wing agents, higher than base)'
            % os.path.join(root, 'base/lean-b.c'),
            '%s:1: includes lean-s.h (wing specs, a sibling of vcs)'
            % os.path.join(root, 'vcs/lean-v.c'),
        ]
        for line in expected:
            if line not in found:
                failures.append('not reported: %s (got %s)' % (line, found))
        if not any(p.startswith('wings agents and base include each other') for p in found):
            failures.append('mutual include not reported (got %s)' % found)

        write(root, 'lean-stray.c', '\n')
        write(root, 'ui/lean-w.h', '\n')
        found = check(root)
        if not any('outside every wing' in p for p in found):
            failures.append('a file outside the wings was not reported')
        if not any('not a known wing' in p for p in found):
            failures.append('an unknown folder was not reported')

    for failure in failures:
        print('self-test: ' + failure, file=sys.stderr)
    return 1 if failures else 0


def main(argv):
    if len(argv) > 1 and argv[1] == '--self-test':
        return self_test()
    if len(argv) > 1:
        core = argv[1]
    else:
        core = os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', 'src', 'core')
    core = os.path.normpath(core)
    if not os.path.isdir(core):
        print('%s: no such folder' % core, file=sys.stderr)
        return 2
    problems = check(core)
    for problem in problems:
        print(problem, file=sys.stderr)
    return 1 if problems else 0


if __name__ == '__main__':
    sys.exit(main(sys.argv))
