"""Ways an attacker changes a payment request, written from the documented binary layout.

Layout (``monnaie_locale/payments/request.py``): version u8 | kind u8 | deployment u16 |
key id 4 bytes | merchant varint | request id 8 bytes | amount varint | issued-at u32 |
ttl varint | reference length u8 + ASCII || Ed25519 signature (64 bytes). Base32,
uppercase, unpadded. These helpers re-encode a field *without* re-signing, as a fraudster
editing a QR would.
"""

from __future__ import annotations

import base64

SIGNATURE = 64
MERCHANT_OFFSET = 1 + 1 + 2 + 4
REQUEST_ID_LENGTH = 8


def unbase32(token: str) -> bytes:
    return base64.b32decode(token + "=" * (-len(token) % 8))


def base32(raw: bytes) -> str:
    return base64.b32encode(raw).decode("ascii").rstrip("=")


def varint(value: int) -> bytes:
    out = bytearray()
    while True:
        byte, value = value & 0x7F, value >> 7
        out.append(byte | (0x80 if value else 0))
        if not value:
            return bytes(out)


def varint_end(raw: bytes | bytearray, start: int) -> int:
    end = start
    while raw[end] & 0x80:
        end += 1
    return end + 1


def replace_merchant(token: str, merchant_account_id: int) -> str:
    raw = unbase32(token)
    end = varint_end(raw, MERCHANT_OFFSET)
    return base32(raw[:MERCHANT_OFFSET] + varint(merchant_account_id) + raw[end:])


def replace_amount(token: str, amount: int) -> str:
    raw = unbase32(token)
    start = varint_end(raw, MERCHANT_OFFSET) + REQUEST_ID_LENGTH
    end = varint_end(raw, start)
    return base32(raw[:start] + varint(amount) + raw[end:])


def flip_request_id_bit(token: str) -> str:
    raw = bytearray(unbase32(token))
    raw[varint_end(raw, MERCHANT_OFFSET)] ^= 0x01
    return base32(bytes(raw))


def payload(token: str) -> bytes:
    return unbase32(token)[:-SIGNATURE]
