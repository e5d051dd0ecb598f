"""Encryption of personal data at rest, and the keyed hash that finds it again.

A stored value reads ``nx1:<cipher>:<key id>:<base64 of nonce + ciphertext + tag>``, so every
row says how it was sealed: a key rotation (``nuanxin rotate-keys``) re-seals rows whose key or
cipher is not the current one, and rows sealed under an older key stay readable while that key
is listed. The ciphers are AEADs: AES-256-GCM, or SM4-GCM (GB/T 32907 block cipher in GCM, as
``cryptography`` offers it) where a deployment must use commercial cryptography (GB/T 39786).
The column's name is bound into each value as associated data, so a value copied into another
column does not open.

Lookups cannot compare ciphertexts (each seal takes a fresh nonce): a column that must be found
by value keeps ``blind_index(value)``, an HMAC-SHA256 under its own key (``PII_HASH_KEY``), beside
it. That key is separate from the encryption keys, so the hash column alone reveals nothing.
"""

import base64
import binascii
import functools
import hashlib
import hmac
import os
from dataclasses import dataclass
from typing import Any

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from django.conf import settings
from django.core.checks import CheckMessage, Error, register
from django.core.exceptions import ImproperlyConfigured

PREFIX = "nx1"
CIPHERS = {"aes-gcm": "a", "sm4-gcm": "s"}
DEV_KEY_ID = "dev"
_NONCE = 12
_TAG = 16


class SealError(ValueError):
    """A stored value that does not open: unknown key or cipher, or altered bytes."""


@dataclass(frozen=True)
class Keyring:
    current: str
    keys: dict[str, bytes]
    hash_key: bytes
    cipher: str
    from_environment: bool


def _derive(master: bytes, info: str, length: int) -> bytes:
    return HKDF(algorithm=hashes.SHA256(), length=length, salt=None, info=info.encode()).derive(
        master
    )


def _parse_keys(text: str) -> dict[str, bytes]:
    keys: dict[str, bytes] = {}
    for item in (part.strip() for part in text.split(",")):
        if not item:
            continue
        key_id, sep, encoded = item.partition(":")
        if not sep or not key_id.isalnum() or len(key_id) > 16 or key_id == DEV_KEY_ID:
            raise ImproperlyConfigured(
                "PII_KEYS: each entry is id:base64-key, the id 1-16 letters or digits (not 'dev')."
            )
        try:
            raw = base64.b64decode(encoded, validate=True)
        except binascii.Error as exc:
            raise ImproperlyConfigured(f"PII_KEYS: key {key_id} is not base64.") from exc
        if len(raw) != 32:
            raise ImproperlyConfigured(f"PII_KEYS: key {key_id} must be 32 bytes.")
        if key_id in keys:
            raise ImproperlyConfigured(f"PII_KEYS: key id {key_id} is listed twice.")
        keys[key_id] = raw
    return keys


@functools.cache
def _keyring(keys_text: str, hash_text: str, cipher: str, secret: str) -> Keyring:
    if cipher not in CIPHERS:
        raise ImproperlyConfigured(f"PII_CIPHER must be one of {', '.join(CIPHERS)}.")
    keys = _parse_keys(keys_text)
    if keys:
        current = next(iter(keys))
        if not hash_text:
            raise ImproperlyConfigured("PII_HASH_KEY must be set together with PII_KEYS.")
        try:
            hash_key = base64.b64decode(hash_text, validate=True)
        except binascii.Error as exc:
            raise ImproperlyConfigured("PII_HASH_KEY is not base64.") from exc
        if len(hash_key) < 32:
            raise ImproperlyConfigured("PII_HASH_KEY must be at least 32 bytes.")
        return Keyring(current, keys, hash_key, cipher, True)
    # Development and the demo: keys derived from the secret key, marked "dev" in every value.
    master = hashlib.sha256(("nuanxin-dev-pii:" + secret).encode()).digest()
    return Keyring(
        DEV_KEY_ID,
        {DEV_KEY_ID: master},
        _derive(master, "nuanxin pii hash", 32),
        cipher,
        False,
    )


def keyring() -> Keyring:
    return _keyring(
        settings.PII_KEYS, settings.PII_HASH_KEY, settings.PII_CIPHER, settings.SECRET_KEY
    )


def keys_from_environment() -> bool:
    return keyring().from_environment


def _seal_bytes(cipher_id: str, master: bytes, plain: bytes, aad: bytes) -> bytes:
    nonce = os.urandom(_NONCE)
    if cipher_id == "a":
        return nonce + AESGCM(_derive(master, "nuanxin pii aes-256-gcm", 32)).encrypt(
            nonce, plain, aad
        )
    encryptor = Cipher(
        algorithms.SM4(_derive(master, "nuanxin pii sm4-gcm", 16)), modes.GCM(nonce)
    ).encryptor()
    encryptor.authenticate_additional_data(aad)
    body = encryptor.update(plain) + encryptor.finalize()
    return nonce + body + encryptor.tag


def _open_bytes(cipher_id: str, master: bytes, blob: bytes, aad: bytes) -> bytes:
    if len(blob) < _NONCE + _TAG:
        raise SealError("value too short")
    nonce, body = blob[:_NONCE], blob[_NONCE:]
    try:
        if cipher_id == "a":
            return AESGCM(_derive(master, "nuanxin pii aes-256-gcm", 32)).decrypt(nonce, body, aad)
        decryptor = Cipher(
            algorithms.SM4(_derive(master, "nuanxin pii sm4-gcm", 16)),
            modes.GCM(nonce, body[-_TAG:]),
        ).decryptor()
        decryptor.authenticate_additional_data(aad)
        return decryptor.update(body[:-_TAG]) + decryptor.finalize()
    except InvalidTag as exc:
        raise SealError("value does not authenticate") from exc


def seal(text: str, *, purpose: str) -> str:
    """``text`` encrypted under the current key and cipher; ``purpose`` names the column."""
    ring = keyring()
    cipher_id = CIPHERS[ring.cipher]
    blob = _seal_bytes(cipher_id, ring.keys[ring.current], text.encode(), purpose.encode())
    encoded = base64.urlsafe_b64encode(blob).decode().rstrip("=")
    return f"{PREFIX}:{cipher_id}:{ring.current}:{encoded}"


def is_sealed(value: str) -> bool:
    return value.startswith(PREFIX + ":")


def sealed_with(value: str) -> tuple[str, str] | None:
    """(cipher id, key id) of a sealed value, None for a value stored before encryption."""
    if not is_sealed(value):
        return None
    parts = value.split(":", 3)
    return (parts[1], parts[2]) if len(parts) == 4 else ("", "")


def needs_reseal(value: str) -> bool:
    """True when ``value`` is in clear, or sealed with another key or cipher than the current."""
    ring = keyring()
    return sealed_with(value) != (CIPHERS[ring.cipher], ring.current)


def unseal(value: str, *, purpose: str) -> str:
    """The text of a sealed value. A value written before encryption (no prefix) is returned
    as it is, so the data migration and a rotation can read the rows they have not reached."""
    if not is_sealed(value):
        return value
    parts = value.split(":", 3)
    if len(parts) != 4 or parts[1] not in CIPHERS.values():
        raise SealError("unknown cipher")
    ring = keyring()
    master = ring.keys.get(parts[2])
    if master is None:
        raise SealError(f"key {parts[2]} is not in PII_KEYS")
    encoded = parts[3] + "=" * (-len(parts[3]) % 4)
    try:
        blob = base64.urlsafe_b64decode(encoded)
    except (binascii.Error, ValueError) as exc:
        raise SealError("not base64") from exc
    return _open_bytes(parts[1], master, blob, purpose.encode()).decode()


def blind_index(text: str | None, *, purpose: str) -> str | None:
    """The keyed hash a sealed column is looked up by (hex, 64 characters); None for none."""
    if not text:
        return None
    mac = hmac.new(keyring().hash_key, purpose.encode() + b"\x00" + text.encode(), hashlib.sha256)
    return mac.hexdigest()


LOOPBACK = frozenset({"127.0.0.1", "localhost", "[::1]", "::1"})


def require_production_keys(*, bind_host: str, demo: bool = False) -> None:
    """Refuse to serve real people's data under the development key.

    A server reachable by others (bound to a non-loopback address, or answering a host name
    other than loopback's) with DEBUG off is production: PII_KEYS and PII_HASH_KEY must come
    from the environment. The demo and a developer's loopback server may use the derived key.
    """
    if demo or settings.DEBUG or keys_from_environment():
        return
    hosts = {bind_host, *settings.ALLOWED_HOSTS}
    if hosts <= LOOPBACK:
        return
    raise ImproperlyConfigured(
        "PII_KEYS and PII_HASH_KEY are not set: personal data would be sealed with the "
        "development key. Set them (see docs/operations.md), or DEBUG=true for development."
    )


@register("nuanxin")
def check_pii_keys(app_configs: Any = None, **kwargs: Any) -> list[CheckMessage]:
    """The key settings parse (every command), and production has its own keys (--deploy)."""
    try:
        keyring()
    except ImproperlyConfigured as exc:
        return [Error(str(exc), id="nuanxin.E010")]
    return []


@register("nuanxin", deploy=True)
def check_pii_keys_deploy(app_configs: Any = None, **kwargs: Any) -> list[CheckMessage]:
    try:
        from_environment = keys_from_environment()
    except ImproperlyConfigured:
        return []  # reported by check_pii_keys
    if from_environment or settings.DEBUG:
        return []
    return [
        Error(
            "PII_KEYS and PII_HASH_KEY are not set; personal data is sealed with a key derived "
            "from SECRET_KEY, meant for development and the demo only.",
            hint="Set PII_KEYS=id:base64-32-bytes and PII_HASH_KEY=base64-32-bytes.",
            id="nuanxin.E011",
        )
    ]
