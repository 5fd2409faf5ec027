"""Plain-value encoding shared by task files, the sandbox and the verdict code.

Values cross process boundaries as tagged JSON, never as pickles. The codec itself lives in the sandbox runtime
(``codegym.runtime.codec``, standard library only, because the same code runs inside the sandbox); this
module is its import path for the rest of codegym. Decoding is bounded (depth, nodes, digits, hash collisions) and
builds values of the receiver's own types.
"""

from __future__ import annotations

from codegym.runtime.codec import (
    Bounds,
    DecodeError,
    EncodeError,
    ObjectValue,
    check_hash_collisions,
    decode,
    encode,
    short_repr,
)

__all__ = ["Bounds", "DecodeError", "EncodeError", "ObjectValue", "check_hash_collisions", "decode_value",
           "encode_value", "short_repr"]

#: Encode a value to tagged JSON data (``codec.encode``).
encode_value = encode
#: Decode tagged JSON data with the default bounds (``codec.decode``); raises :class:`DecodeError`.
decode_value = decode
