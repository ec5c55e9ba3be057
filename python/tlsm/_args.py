"""Argument checks shared by the public classes: what a C call would misread (a NUL that
cuts a string short) or what is plainly the wrong type is refused at the call, with a
message naming the argument."""

from __future__ import annotations

__all__ = ["host_name"]


def host_name(name: object, what: str) -> str:
    """A host name as tlsm takes it: a str without NUL (C would cut it there, checking
    ``"localhost\\x00.attacker.example"`` as ``localhost``), without the trailing dot of an
    absolute name, an IPv6 literal without its brackets."""
    if not isinstance(name, str):
        raise TypeError(f"{what} must be a str, not {type(name).__name__}")
    if "\x00" in name:
        raise ValueError(f"{what} {name!r} contains a NUL byte")
    name = name.rstrip(".")
    if name.startswith("[") and name.endswith("]"):
        name = name[1:-1]
    return name
