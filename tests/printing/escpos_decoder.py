"""Read ESC/POS bytes back into what the printer would do: a test's view of a print job.

Strict on purpose: a byte sequence this decoder does not know fails the test, so a stray
command (or python-escpos changing what it emits) cannot slip through unnoticed.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from PIL import Image


@dataclass
class TextLine:
    text: str
    align: int
    bold: bool
    size: int


@dataclass
class RasterBlock:
    width_bytes: int
    height: int
    data: bytes

    def image(self) -> Image.Image:
        return Image.frombytes("1", (self.width_bytes * 8, self.height), bytes(b ^ 0xFF for b in self.data))

    def ink(self) -> int:
        return sum(bin(b).count("1") for b in self.data)


@dataclass
class Qr:
    payload: str
    dot_size: int
    ec: int


@dataclass
class CutMark:
    """Where the printer cut (GS V)."""


@dataclass
class Job:
    events: list[object] = field(default_factory=list)
    initialised: bool = False
    cut: bool = False

    @property
    def lines(self) -> list[TextLine]:
        return [e for e in self.events if isinstance(e, TextLine)]

    @property
    def texts(self) -> list[str]:
        return [e.text for e in self.lines]

    @property
    def rasters(self) -> list[RasterBlock]:
        return [e for e in self.events if isinstance(e, RasterBlock)]

    @property
    def qrs(self) -> list[Qr]:
        return [e for e in self.events if isinstance(e, Qr)]


def decode(data: bytes) -> Job:
    job = Job()
    i = 0
    align, bold, size = 0, False, 0
    chinese = False
    pending = bytearray()
    qr_size, qr_ec = 3, 48
    while i < len(data):
        b = data[i]
        two = data[i:i + 2]
        if two == b"\x1b@":
            job.initialised, align, bold, size = True, 0, False, 0
            i += 2
        elif two == b"\x1ba":
            align = data[i + 2]
            i += 3
        elif two == b"\x1bE":
            bold = bool(data[i + 2])
            i += 3
        elif two == b"\x1d!":
            size = data[i + 2]
            i += 3
        elif two == b"\x1bd":
            job.events.append(("feed", data[i + 2]))
            i += 3
        elif two == b"\x1c&":
            assert not chinese, "FS & while already in Chinese mode"
            chinese = True
            i += 2
        elif two == b"\x1c.":
            assert chinese, "FS . outside Chinese mode"
            chinese = False
            i += 2
        elif data[i:i + 3] == b"\x1dv0":
            m, xl, xh, yl, yh = data[i + 3:i + 8]
            assert m == 0, "raster density must be normal"
            w, h = xl + 256 * xh, yl + 256 * yh
            job.events.append(RasterBlock(w, h, data[i + 8:i + 8 + w * h]))
            assert len(data[i + 8:i + 8 + w * h]) == w * h, "raster block truncated"
            i += 8 + w * h
        elif data[i:i + 3] == b"\x1d(k":
            plen = data[i + 3] + 256 * data[i + 4]
            body = data[i + 5:i + 5 + plen]
            cn, fn = body[0], body[1]
            assert cn == 0x31, "2D code must be QR"
            if fn == 67:
                qr_size = body[2]
            elif fn == 69:
                qr_ec = body[2]
            elif fn == 80:
                job.events.append(Qr(body[3:].decode("ascii"), qr_size, qr_ec))
            elif fn not in (65, 81):
                raise AssertionError(f"unknown QR function {fn}")
            i += 5 + plen
        elif data[i:i + 3] == b"\x1dVB":
            job.cut = True
            job.events.append(CutMark())
            i += 4
        elif b == 0x0A:
            job.events.append(TextLine(pending.decode("gb18030"), align, bold, size))
            pending.clear()
            i += 1
        elif b >= 0x20 and b != 0x7F:
            if b >= 0x80:
                assert chinese, f"double-byte text outside Chinese mode at {i}"
            pending.append(b)
            i += 1
        else:
            raise AssertionError(f"unknown command byte {b:#04x} at offset {i}: {data[i:i + 8]!r}")
    assert not chinese, "job ends in Chinese mode"
    assert not pending, f"text never printed (no LF): {pending!r}"
    return job
