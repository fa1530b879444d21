"""Signed notes against the Go reference's vectors and the C2SP format's rules, one by one.

The vectors are golang.org/x/mod/sumdb/note's (``note_test.go``: the PeterNeumann and
EnochRoot keys and their notes), C2SP signed-note's own example, and transparency-dev's
cosignature vkeys (``note/note_cosigv1_test.go``). The rules are c2sp.org/signed-note,
c2sp.org/tlog-cosignature, each with a test that breaks it.
"""

from __future__ import annotations

import base64
import hashlib
import struct

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from monnaie_locale.verify.note import (
    COSIGNATURE,
    ED25519,
    MAX_TIMESTAMP,
    NoteError,
    NoteKey,
    Signature,
    cosign,
    cosignature_time,
    format_note,
    open_note,
    parse_note,
    sign_line,
)

PETER_KEY = "PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW"
ENOCH_KEY = "EnochRoot+af0cfe78+ATtqJ7zOtqQtYqOo0CpvDXNlMhV3HeJDpjrASKGLWdop"
TEXT = (
    "If you think cryptography is the answer to your problem,\n"
    "then you don't know what your problem is.\n"
)
PETER_SIG = (
    "— PeterNeumann x08go/ZJkuBS9UG/SffcvIAQxVBtiFupLLr8pAcElZInNIuGUgYN1FFYC2pZSNXgKvqfqdngotp"
    "RZb6KE6RyyBwJnAM=\n"
)
ENOCH_SIG = (
    "— EnochRoot rwz+eBzmZa0SO3NbfRGzPCpDckykFXSdeX+MNtCOXm2/5n2tiOHp+vAF1aGrQ5ovTG01oOTGwnWLox3"
    "3WWd1RvMc+QQ=\n"
)
# Go's signer key for PeterNeumann: "PRIVATE+KEY+PeterNeumann+c74f20a3+" then this seed.
PETER_SEED = base64.b64decode("AYEKFALVFGyNhPJEMzD1QIDr+Y7hfZx09iUvxdXHKDFz")[1:]


def peter() -> NoteKey:
    return NoteKey.from_vkey(PETER_KEY)


def enoch() -> NoteKey:
    return NoteKey.from_vkey(ENOCH_KEY)


# Verifier keys ------------------------------------------------------------------------


def test_the_go_verifier_keys_parse_with_their_names_and_ids() -> None:
    assert (peter().name, peter().key_id.hex(), peter().kind) == ("PeterNeumann", "c74f20a3", 1)
    assert (enoch().name, enoch().key_id.hex()) == ("EnochRoot", "af0cfe78")
    assert peter().vkey == PETER_KEY


def test_every_substring_and_every_byte_changed_of_a_vkey_is_refused() -> None:
    # note_test.go's TestNewVerifier, mangling by mangling.
    raw = PETER_KEY.encode()
    mangled = [raw[i:j] for i in range(len(raw) + 1) for j in range(i + 1, len(raw) + 1)]
    mangled = [m for m in mangled if m != raw]
    mangled += [raw[:i] + bytes([raw[i] + 1]) + raw[i + 1 :] for i in range(len(raw))]
    accepted = []
    for value in mangled:
        try:
            NoteKey.from_vkey(value.decode())
        except NoteError:
            continue
        accepted.append(value)
    assert accepted == []


@pytest.mark.parametrize(
    "vkey",
    [
        # wrong length key, with its id adjusted; an unknown algorithm, with its id adjusted
        "PeterNeumann+cc469956+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TWBADKEY==",
        "PeterNeumann+173116ae+ZRpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW",
        "bananas.sigstore.dev+12344556",
        "rekor.sigstore.dev+12345678+THIS_IS_NOT_BASE64!",
        "rekor.sigstore.dev+12345678+AwEB",
        "PeterNeumann+C74F20A3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW",  # hex is lowercase
        "Peter Neumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW",
        "+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW",
    ],
)
def test_malformed_vkeys_are_refused(vkey: str) -> None:
    with pytest.raises(NoteError):
        NoteKey.from_vkey(vkey)


def test_a_vkey_whose_base64_holds_a_plus_parses() -> None:
    # transparency-dev's "TEST" key: '+' is a base64 digit, only the first two are separators.
    key = NoteKey.from_vkey("TEST+7997405c+AQcC+FTVKf0jlTdHDY3rbevmnKxxPjigCXlVtGe6RIr6")
    assert (key.name, key.key_id.hex(), key.kind) == ("TEST", "7997405c", ED25519)


def test_a_witness_vkey_has_the_cosignature_type() -> None:
    key = NoteKey.from_vkey("remora.n621.de+da77ade7+BOvN63jn/bLvkieywe8R6UYAtVtNbZpXh34x7onlmtw2")
    assert (key.name, key.kind) == ("remora.n621.de", COSIGNATURE)


def test_a_vkey_whose_id_is_not_its_keys_is_refused() -> None:
    with pytest.raises(NoteError, match="id does not match"):
        NoteKey.from_vkey("PeterNeumann+00000000+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW")


def test_the_key_id_is_the_recommended_hash() -> None:
    key = peter()
    material = b"PeterNeumann\n\x01" + base64.b64decode(PETER_KEY.split("+")[2])[1:]
    assert key.key_id == hashlib.sha256(material).digest()[:4]


# Notes -------------------------------------------------------------------------------


def test_peter_neumanns_note_is_signed_as_go_signs_it() -> None:
    signature = sign_line(TEXT, "PeterNeumann", Ed25519PrivateKey.from_private_bytes(PETER_SEED))
    assert format_note(TEXT, [signature]) == TEXT + "\n" + PETER_SIG


def test_one_known_signature_verifies_the_other_is_ignored() -> None:
    parsed, signed = open_note(TEXT + "\n" + PETER_SIG + ENOCH_SIG, [peter()])
    assert parsed.text == TEXT
    assert [k.name for k in signed] == ["PeterNeumann"]
    assert [s.name for s in parsed.signatures] == ["PeterNeumann", "EnochRoot"]


def test_both_known_signatures_verify() -> None:
    _, signed = open_note(TEXT + "\n" + PETER_SIG + ENOCH_SIG, [peter(), enoch()])
    assert [k.name for k in signed] == ["PeterNeumann", "EnochRoot"]


def test_a_note_no_known_key_signed_is_refused() -> None:
    with pytest.raises(NoteError, match="no known key"):
        open_note(TEXT + "\n" + PETER_SIG + ENOCH_SIG, [])


def test_an_unknown_key_sharing_a_name_or_an_id_with_a_known_one_is_ignored() -> None:
    other = Ed25519PrivateKey.generate()
    same_name = sign_line(TEXT, "PeterNeumann", other)  # same name, another id
    raw = base64.b64decode(PETER_SIG.split(" ")[2])
    same_id = "— CarmenSandiego " + base64.b64encode(raw).decode() + "\n"
    note = TEXT + "\n" + same_name.line + same_id + PETER_SIG
    _, signed = open_note(note, [peter()])
    assert [k.name for k in signed] == ["PeterNeumann"]


def test_a_known_keys_bad_signature_rejects_the_whole_note() -> None:
    bad = PETER_SIG[:60] + "ABCD" + PETER_SIG[60:]
    with pytest.raises(NoteError, match="does not verify"):
        open_note(TEXT + "\n" + bad + ENOCH_SIG, [peter(), enoch()])


def test_repeated_signatures_count_once() -> None:
    _, signed = open_note(TEXT + "\n" + PETER_SIG + PETER_SIG + ENOCH_SIG, [peter()])
    assert [k.name for k in signed] == ["PeterNeumann"]


def test_two_known_keys_with_one_name_and_id_are_ambiguous() -> None:
    impostor = NoteKey.__new__(NoteKey)
    object.__setattr__(impostor, "name", "PeterNeumann")
    object.__setattr__(impostor, "public_key", Ed25519PrivateKey.generate().public_key())
    object.__setattr__(impostor, "kind", ED25519)
    # Its id is computed from its own key: give it Peter's to collide on purpose.
    key_id = peter().key_id
    known = [peter(), _with_id(impostor, key_id)]
    with pytest.raises(NoteError, match="two known keys"):
        open_note(TEXT + "\n" + PETER_SIG, known)


def _with_id(key: NoteKey, key_id: bytes) -> NoteKey:
    class Colliding(NoteKey):
        @property
        def key_id(self) -> bytes:
            return key_id

    return Colliding(key.name, key.public_key, key.kind)


def test_more_than_100_signatures_are_refused_and_100_are_not() -> None:
    with pytest.raises(NoteError, match="more than 100"):
        parse_note(TEXT + "\n" + PETER_SIG * 101)
    with pytest.raises(NoteError, match="more than 100"):
        open_note(TEXT + "\n" + PETER_SIG * 101, [peter()])
    assert len(parse_note(TEXT + "\n" + PETER_SIG * 100).signatures) == 100


@pytest.mark.parametrize(
    "note",
    [
        TEXT,  # no signature block
        TEXT + "\n",  # a blank line and nothing after
        TEXT + "\n" + PETER_SIG[:-1],  # no final newline
        "\x01" + TEXT + "\n" + PETER_SIG,  # a control character
        TEXT.replace("\n", "\r\n") + "\n" + PETER_SIG,  # carriage returns are control too
        "\t" + TEXT + "\n" + PETER_SIG,
        TEXT + "\n" + "— Bad Name " + PETER_SIG.split(" ")[2],  # a space in the name
        TEXT + "\n" + "— Peter+Neumann " + PETER_SIG.split(" ")[2],  # a '+' in the name
        TEXT + "\n" + PETER_SIG + "Unexpected line.\n",
        TEXT + "\n" + "— PeterNeumann \n",  # no signature
        TEXT + "\n" + "— PeterNeumann AAAA\n",  # fewer than five bytes
        TEXT + "\n" + "— PeterNeumann not*base64\n",
        TEXT + "\n" + PETER_SIG.replace("\n", "\u2028\n"),  # only a newline ends a line
        TEXT + "\n" + "—PeterNeumann " + PETER_SIG.split(" ")[2],  # em dash, then a space
    ],
)
def test_malformed_notes_are_refused(note: str) -> None:
    with pytest.raises(NoteError):
        open_note(note, [peter()])


def test_a_note_that_is_not_utf8_is_refused() -> None:
    with pytest.raises(NoteError, match="UTF-8"):
        open_note(b"\xff" + (TEXT + "\n" + PETER_SIG).encode(), [peter()])
    with pytest.raises(NoteError, match="UTF-8"):
        parse_note("\ud800" + TEXT + "\n" + PETER_SIG)


def test_the_last_blank_line_splits_text_from_signatures() -> None:
    key = Ed25519PrivateKey.generate()
    text = "first paragraph\n\nsecond paragraph\n"
    note = format_note(text, [sign_line(text, "example.com/log", key)])
    parsed, _ = open_note(note, [NoteKey("example.com/log", key.public_key())])
    assert parsed.text == text


def test_the_c2sp_example_note_verifies() -> None:
    vkey = "example.com/foo+530d903a+AekyeRrm56hApGFkyQR4ZCbV54Id2LKaANYcrnKv3U2k"
    note = (
        "This is an example message.\n\n— example.com/foo Uw2QOkn8srV1yJGh2VYRlL1Tnagv1YEq6TfX"
        "ppzi2ONncAlTgK7Ztg1ERYNZXsYjOBH3mFXmRKuwHjG1Yu72IneyaQM=\n"
    )
    parsed, signed = open_note(note, [NoteKey.from_vkey(vkey)])
    assert parsed.text == "This is an example message.\n"
    assert signed[0].name == "example.com/foo"


# Cosignatures ------------------------------------------------------------------------

CHECKPOINT = "example.com/behind-the-sofa\n20852163\nCsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=\n"


def test_a_cosignature_signs_the_timestamped_message_the_spec_spells_out() -> None:
    witness = Ed25519PrivateKey.from_private_bytes(bytes(range(32)))
    signature = cosign(CHECKPOINT, "witness.example.com/w1", witness, timestamp=1679315147)
    # Built here from c2sp.org/tlog-cosignature's text, not from the module.
    message = b"cosignature/v1\ntime 1679315147\n" + CHECKPOINT.encode()
    raw = witness.public_key().public_bytes_raw()
    key_id = hashlib.sha256(b"witness.example.com/w1\n\x04" + raw).digest()[:4]
    expected = key_id + struct.pack(">Q", 1679315147) + witness.sign(message)
    assert base64.b64decode(signature.line.split(" ")[2]) == expected
    assert cosignature_time(signature) == 1679315147
    key = NoteKey("witness.example.com/w1", witness.public_key(), COSIGNATURE)
    _, signed = open_note(CHECKPOINT + "\n" + signature.line, [key])
    assert signed == [key]


def test_a_cosignature_read_as_a_plain_signature_does_not_verify() -> None:
    witness = Ed25519PrivateKey.generate()
    signature = cosign(CHECKPOINT, "w1", witness, timestamp=1)
    plain = NoteKey("w1", witness.public_key())
    # Another type, another id: the plain key does not even know the line.
    with pytest.raises(NoteError, match="no known key"):
        open_note(CHECKPOINT + "\n" + signature.line, [plain])


def test_a_cosignature_with_its_time_changed_does_not_verify() -> None:
    witness = Ed25519PrivateKey.generate()
    signature = cosign(CHECKPOINT, "w1", witness, timestamp=1000)
    moved = Signature("w1", signature.key_id, struct.pack(">Q", 1001) + signature.signature[8:])
    key = NoteKey("w1", witness.public_key(), COSIGNATURE)
    with pytest.raises(NoteError, match="does not verify"):
        open_note(CHECKPOINT + "\n" + moved.line, [key])


def test_a_cosignature_time_beyond_2_63_is_refused() -> None:
    witness = Ed25519PrivateKey.generate()
    with pytest.raises(NoteError):
        cosign(CHECKPOINT, "w1", witness, timestamp=MAX_TIMESTAMP + 1)
    huge = MAX_TIMESTAMP + 1
    message = f"cosignature/v1\ntime {huge}\n".encode() + CHECKPOINT.encode()
    key = NoteKey("w1", witness.public_key(), COSIGNATURE)
    line = Signature("w1", key.key_id, struct.pack(">Q", huge) + witness.sign(message))
    with pytest.raises(NoteError, match="does not verify"):
        open_note(CHECKPOINT + "\n" + line.line, [key])


def test_transparency_devs_cosignature_carries_its_time() -> None:
    raw = base64.b64decode(
        "ZGhGuQAAAABm/qTPeyKXD+R2rzyQsxPiP8mXum7qq/iF0u4vanlqJyocWODBt97w9uL+8qT7S5gxEHWWOworDcFi"
        "EBYJXORmnFBOBA=="
    )
    assert cosignature_time(Signature("w", raw[:4], raw[4:])) == 1727964367
    plain = base64.b64decode(
        "eQjRQm6eSKzFoiYalgwCPXu2y3ijtg68is9M46JKxuZB+dRfTmeQeDBoXnvxZx2ugnkyV+MUMLXpWs1hPb/W/4xk"
        "NQY="
    )
    with pytest.raises(NoteError):
        cosignature_time(Signature("w", plain[:4], plain[4:]))
