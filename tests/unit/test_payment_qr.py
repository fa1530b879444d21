"""QR rendering: a maximal request fits version 8-M, and a real decoder reads it back."""

from __future__ import annotations

import base64
import io
import re
import xml.etree.ElementTree as ET

import pytest
import qrcode
import zxingcpp
from PIL import Image
from qrcode.util import MODE_8BIT_BYTE, MODE_ALPHA_NUM, QRData

from monnaie_locale.payments import (
    MAX_HOST_LENGTH,
    KeyRing,
    PaymentRequest,
    PaymentRequestError,
    RequestKind,
    SigningKey,
    decode_request,
    encode_request,
    qr_matrix,
    qr_png,
    qr_svg,
    qr_version,
    request_url,
    static_sheet_svg,
)
from monnaie_locale.payments.request import (
    MAX_AMOUNT_CENTS,
    MAX_DEPLOYMENT_ID,
    MAX_MERCHANT_ACCOUNT_ID,
    MAX_TTL_SECONDS,
)

KEY = SigningKey.generate()
NOW = 1_790_000_000
SVG = "{http://www.w3.org/2000/svg}"


def maximal_url() -> str:
    """Every field at the value that makes its encoding longest, and the longest host."""
    request = PaymentRequest(
        kind=RequestKind.DYNAMIC,
        deployment_id=MAX_DEPLOYMENT_ID,
        merchant_account_id=MAX_MERCHANT_ACCOUNT_ID,
        request_id=b"\xff" * 8,
        amount_cents=MAX_AMOUNT_CENTS,
        issued_at=2**32 - 1,
        ttl_seconds=MAX_TTL_SECONDS,
        reference="~" * 16,
    )
    return request_url(encode_request(request, key=KEY), host="P" * MAX_HOST_LENGTH)


def everyday_url() -> tuple[str, PaymentRequest]:
    request = PaymentRequest(
        kind=RequestKind.DYNAMIC,
        deployment_id=3,
        merchant_account_id=812,
        request_id=bytes(range(8)),
        amount_cents=1250,
        issued_at=NOW,
        ttl_seconds=300,
        reference="T12",
    )
    return request_url(encode_request(request, key=KEY), host="pay.eusko.eus"), request


def read_png(png: bytes) -> zxingcpp.Barcode:
    barcodes = zxingcpp.read_barcodes(Image.open(io.BytesIO(png)))
    assert len(barcodes) == 1
    return barcodes[0]


def test_maximal_request_url_fits_qr_version_8_level_m() -> None:
    url = maximal_url()
    code = qrcode.QRCode(version=None, error_correction=qrcode.constants.ERROR_CORRECT_M)
    code.add_data(QRData(url, mode=MODE_ALPHA_NUM))
    code.make(fit=True)
    assert code.version <= 8
    assert qr_version(url) <= 8


def test_alphanumeric_mode_is_what_makes_it_fit() -> None:
    url = maximal_url()
    code = qrcode.QRCode(version=None, error_correction=qrcode.constants.ERROR_CORRECT_M)
    code.add_data(QRData(url, mode=MODE_8BIT_BYTE))
    code.make(fit=True)
    assert code.version > 8  # so the version-8 result above proves alphanumeric mode


def test_real_decoder_reads_the_maximal_code_as_version_8_or_less() -> None:
    url = maximal_url()
    barcode = read_png(qr_png(url))
    assert barcode.text == url
    assert barcode.format == zxingcpp.BarcodeFormat.QRCode
    extra = barcode.extra
    assert isinstance(extra, dict)
    assert int(extra["Version"]) <= 8
    assert extra["ECLevel"] == "M"


def test_decoded_png_verifies_and_a_flipped_bit_is_refused() -> None:
    url, request = everyday_url()
    ring = KeyRing(KEY)
    scanned = read_png(qr_png(url)).text
    assert decode_request(scanned, keyring=ring, deployment_id=3, now=NOW) == request

    token = scanned.rsplit("/", 1)[1]
    data = bytearray(base64.b32decode(token + "=" * (-len(token) % 8)))
    data[20] ^= 0x01
    tampered = base64.b32encode(bytes(data)).decode().rstrip("=")
    with pytest.raises(PaymentRequestError):
        decode_request(tampered, keyring=ring, deployment_id=3, now=NOW)


def test_png_has_the_quiet_zone_and_requested_scale() -> None:
    url, _ = everyday_url()
    image = Image.open(io.BytesIO(qr_png(url, scale=3)))
    modules = len(qr_matrix(url))
    assert image.size == (modules * 3, modules * 3)
    assert image.getpixel((0, 0)) != 0  # the border is white
    assert image.getpixel((4 * 3, 4 * 3)) == 0  # a finder pattern's corner is black


def test_svg_draws_exactly_the_dark_modules() -> None:
    url, _ = everyday_url()
    root = ET.fromstring(qr_svg(url))
    path = root.find(f"{SVG}path")
    assert path is not None
    runs = [int(n) for n in re.findall(r"h(\d+)v", path.attrib["d"])]
    assert sum(runs) == sum(sum(row) for row in qr_matrix(url))


def test_lowercase_data_is_refused_rather_than_encoded_in_byte_mode() -> None:
    with pytest.raises(ValueError):
        qr_png("https://pay.eusko.eus/R/ABC")


def test_static_sheet_is_a6_with_escaped_name_currency_and_instruction() -> None:
    url, _ = everyday_url()
    name = 'Boulangerie <Dupont> & "Fils"\x07'
    sheet = static_sheet_svg(url, merchant_name=name, currency_name="Eusko")
    assert "<Dupont>" not in sheet
    root = ET.fromstring(sheet)
    assert (root.attrib["width"], root.attrib["height"]) == ("105mm", "148mm")
    assert root.attrib["viewBox"] == "0 0 105 148"
    texts = [element.text for element in root.iter(f"{SVG}text")]
    assert texts == ['Boulangerie <Dupont> & "Fils"', "Eusko", "Scannez pour payer en Eusko"]


def test_static_sheet_qr_is_80mm_square_inside_the_page() -> None:
    url, _ = everyday_url()
    root = ET.fromstring(static_sheet_svg(url, merchant_name="Bar", currency_name="Léman"))
    group = root.find(f"{SVG}g")
    assert group is not None
    left, top, scale = map(float, re.findall(r"[\d.]+", group.attrib["transform"]))
    side = scale * len(qr_matrix(url))
    assert side == pytest.approx(80)
    assert left >= 0 and left + side <= 105
    assert top >= 0 and top + side <= 148
