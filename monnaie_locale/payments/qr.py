"""QR codes for payment request URLs: PNG for screens, SVG for print, and an A6 sheet.

The request URL is uppercase base32 inside `HTTPS://HOST/R/`, so every character belongs to
the QR alphanumeric set. The data is handed to the encoder explicitly in alphanumeric mode
(5.5 bits per character instead of 8 in byte mode): that is what lets a signed request fit
QR version 8 at error-correction level M, a code any phone camera reads at arm's length.
Level M restores up to 15 % of damaged modules, which a printed counter code needs.

Only the module matrix comes from `qrcode`; PNG and SVG are written here from it, so
rendering needs no imaging library and both formats show exactly the same modules.
"""

from __future__ import annotations

import struct
import zlib
from xml.sax.saxutils import escape

import qrcode
from qrcode.util import MODE_ALPHA_NUM, QRData

ALPHANUMERIC = frozenset("0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ $%*+-./:")
QUIET_ZONE = 4  # modules of blank margin the QR standard requires around the code
SHEET_WIDTH_MM = 105
SHEET_HEIGHT_MM = 148
SHEET_QR_MM = 80


def qr_matrix(url: str) -> list[list[bool]]:
    """The modules of the smallest level-M QR code holding `url` in alphanumeric mode.

    True is a dark module; the quiet zone is included.
    """
    return _build(url).get_matrix()  # type: ignore[no-any-return]


def qr_version(url: str) -> int:
    """The QR version (1-40) `url` needs at level M in alphanumeric mode."""
    return int(_build(url).version)


def qr_png(url: str, *, scale: int = 8) -> bytes:
    """Render `url` as a black-on-white 1-bit PNG, `scale` pixels per module."""
    if scale < 1:
        raise ValueError("scale must be >= 1")
    matrix = qr_matrix(url)
    size = len(matrix) * scale
    rows = b"".join(_png_row(row, scale=scale) * scale for row in matrix)
    header = struct.pack(">IIBBBBB", size, size, 1, 0, 0, 0, 0)  # 1-bit greyscale
    return b"".join(
        [
            b"\x89PNG\r\n\x1a\n",
            _png_chunk(b"IHDR", header),
            _png_chunk(b"IDAT", zlib.compress(rows, 9)),
            _png_chunk(b"IEND", b""),
        ]
    )


def qr_svg(url: str, *, module_mm: float = 1.0) -> str:
    """Render `url` as a standalone SVG document, `module_mm` millimetres per module."""
    matrix = qr_matrix(url)
    size = len(matrix)
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{size * module_mm}mm" '
        f'height="{size * module_mm}mm" viewBox="0 0 {size} {size}">'
        f'<rect width="{size}" height="{size}" fill="#fff"/>{_svg_path(matrix)}</svg>'
    )


def static_sheet_svg(url: str, *, merchant_name: str, currency_name: str) -> str:
    """An A6 page (105 x 148 mm) to print and put on the counter for a static request."""
    matrix = qr_matrix(url)
    scale = SHEET_QR_MM / len(matrix)
    left = (SHEET_WIDTH_MM - SHEET_QR_MM) / 2
    name, currency = _xml_text(merchant_name), _xml_text(currency_name)
    return "".join(
        [
            f'<svg xmlns="http://www.w3.org/2000/svg" width="{SHEET_WIDTH_MM}mm" '
            f'height="{SHEET_HEIGHT_MM}mm" viewBox="0 0 {SHEET_WIDTH_MM} {SHEET_HEIGHT_MM}">',
            f'<rect width="{SHEET_WIDTH_MM}" height="{SHEET_HEIGHT_MM}" fill="#fff"/>',
            _sheet_text(name, y=20, size=_fit_font(merchant_name, largest=8), bold=True),
            _sheet_text(currency, y=31, size=_fit_font(currency_name, largest=6)),
            f'<g transform="translate({left} 38) scale({scale:.6f})">{_svg_path(matrix)}</g>',
            _sheet_text(f"Scannez pour payer en {currency}", y=132, size=5),
            "</svg>",
        ]
    )


def _build(url: str) -> qrcode.QRCode:
    if not url or not set(url) <= ALPHANUMERIC:
        raise ValueError("the URL must be uppercase to fit the QR alphanumeric set")
    code = qrcode.QRCode(
        version=None, error_correction=qrcode.constants.ERROR_CORRECT_M, border=QUIET_ZONE
    )
    # Given a plain string the library may split it into byte-mode chunks; force one chunk.
    code.add_data(QRData(url, mode=MODE_ALPHA_NUM))
    code.make(fit=True)
    return code


def _png_row(row: list[bool], *, scale: int) -> bytes:
    # In 1-bit greyscale a 1 bit is white; pad the row to a whole byte, after filter type 0.
    bits = "".join(("0" if dark else "1") * scale for dark in row)
    bits += "1" * (-len(bits) % 8)
    return b"\x00" + int(bits, 2).to_bytes(len(bits) // 8, "big")


def _png_chunk(kind: bytes, data: bytes) -> bytes:
    crc = zlib.crc32(kind + data) & 0xFFFFFFFF
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", crc)


def _svg_path(matrix: list[list[bool]]) -> str:
    # One horizontal run of dark modules per subpath keeps the document small.
    parts: list[str] = []
    for y, row in enumerate(matrix):
        x = 0
        while x < len(row):
            if not row[x]:
                x += 1
                continue
            start = x
            while x < len(row) and row[x]:
                x += 1
            parts.append(f"M{start} {y}h{x - start}v1h-{x - start}z")
    return f'<path fill="#000" shape-rendering="crispEdges" d="{"".join(parts)}"/>'


def _sheet_text(text: str, *, y: float, size: float, bold: bool = False) -> str:
    weight = ' font-weight="bold"' if bold else ""
    return (
        f'<text x="{SHEET_WIDTH_MM / 2}" y="{y}" font-family="sans-serif" '
        f'font-size="{size:.2f}" text-anchor="middle"{weight}>{text}</text>'
    )


def _fit_font(text: str, *, largest: float) -> float:
    # About 0.6 em per character in a sans-serif face: shrink long names to fit 95 mm.
    return min(largest, 95 / (0.6 * max(len(text), 1)))


def _xml_text(text: str) -> str:
    # Control characters are not allowed in XML at all, even escaped: drop them.
    kept = "".join(char for char in text if _xml_char(char))
    return escape(kept)


def _xml_char(char: str) -> bool:
    return char >= " " and not "\ud800" <= char <= "\udfff" and char not in "\ufffe\uffff"
