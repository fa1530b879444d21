"""Babel extraction methods: where ``make catalogues`` finds the message keys.

:func:`extract_keys` reads a Python file and yields the key of every call to one of
the keywords (``messages("db.migrated", ...)``, ``run.messages(...)``) whose first
argument is a literal, or a choice between literals (``"a" if x else "b"``, which
Babel's own Python extractor would glue into one bogus key).

Some keys are built at run time (``f"col.{column}"``, ``"error." + code``, the pages'
``"page."`` family) and no extractor can see them: :func:`extract_template_keys` reads
them back from the template, so they stay in it from one extraction to the next. A key
is added by using it literally, or by hand to ``messages.pot``; it is removed by hand.

Used by ``make catalogues`` and the catalogue tests (see ``babel.cfg``), never at run time.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Collection, Iterator, Mapping
from typing import IO, Any

__all__ = ["extract_keys", "extract_page_keys", "extract_template_keys"]

Extracted = tuple[int, str, str, list[str]]

# Keys are ASCII words joined by dots: no escapes, no line breaks to read.
_MSGID = re.compile(rb'^msgid "([^"]+)"$', re.MULTILINE)


def extract_keys(
    fileobj: IO[bytes],
    keywords: Collection[str],
    comment_tags: Collection[str],
    options: Mapping[str, Any],
) -> Iterator[Extracted]:
    """The literal keys of the calls to ``keywords`` in a Python file."""
    tree = ast.parse(fileobj.read())
    for node in ast.walk(tree):
        if not isinstance(node, ast.Call) or not node.args:
            continue
        function = node.func
        name = function.attr if isinstance(function, ast.Attribute) else ""
        if isinstance(function, ast.Name):
            name = function.id
        if name in keywords:
            for key in _literals(node.args[0]):
                yield node.lineno, name, key, []


def _literals(argument: ast.expr) -> list[str]:
    if isinstance(argument, ast.Constant) and isinstance(argument.value, str):
        return [argument.value]
    if isinstance(argument, ast.IfExp):
        return [*_literals(argument.body), *_literals(argument.orelse)]
    return []


def extract_template_keys(
    fileobj: IO[bytes],
    keywords: Collection[str],
    comment_tags: Collection[str],
    options: Mapping[str, Any],
) -> Iterator[Extracted]:
    """Every key of a ``.pot`` file."""
    text = fileobj.read()
    for found in _MSGID.finditer(text):
        line = text.count(b"\n", 0, found.start()) + 1
        yield line, "", found.group(1).decode("ascii"), []


# A page template names its texts ``t.<name>``: the catalogue's ``page.<name>``.
_PAGE_TEXT = re.compile(rb"\bt\.([a-z][a-z0-9_]*)")


def extract_page_keys(
    fileobj: IO[bytes],
    keywords: Collection[str],
    comment_tags: Collection[str],
    options: Mapping[str, Any],
) -> Iterator[Extracted]:
    """The ``page.`` key of every ``t.<name>`` a page template uses."""
    text = fileobj.read()
    for found in _PAGE_TEXT.finditer(text):
        line = text.count(b"\n", 0, found.start()) + 1
        yield line, "", "page." + found.group(1).decode("ascii"), []
