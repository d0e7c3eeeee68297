#!/usr/bin/env python3
"""Keeps only one GPU architecture's machine code in a CUDA shared library, in place.

LibTorch's CUDA library carries kernels for sm_75 ... sm_121 (345 of its 504 MB). The device tool carries 64 MiB a
call, so the Hopper check ships only sm_90: in every fatbin container of the .nv_fatbin section the entries of the
wanted architecture are moved to the front, the container's size field is cut to them, and the freed bytes are
zeroed (they then cost nothing once compressed). Offsets of the containers themselves do not move, so the host
stubs that point at them stay valid, and the CUDA runtime reads only the entries the size field covers.

usage: prune_fatbin.py LIB ARCH      (ARCH as a number: 90 for sm_90/sm_90a)
"""
import struct
import sys

MAGIC = 0xBA55ED50


def section(data, wanted):
    shoff = struct.unpack_from('<Q', data, 0x28)[0]
    shentsize, shnum, shstrndx = struct.unpack_from('<HHH', data, 0x3A)
    heads = [struct.unpack_from('<IIQQQQ', data, shoff + i * shentsize) for i in range(shnum)]
    names = heads[shstrndx][4]
    for name, _typ, _flags, _addr, off, size in heads:
        end = data.index(b'\0', names + name)
        if data[names + name:end].decode() == wanted:
            return off, size
    raise SystemExit(f'no {wanted} section')


def main(path, arch):
    data = bytearray(open(path, 'rb').read())
    off, size = section(data, '.nv_fatbin')
    p, end = off, off + size
    kept = dropped = containers = 0
    while p + 16 <= end:
        magic, _ver, hsz, fsz = struct.unpack_from('<IHHQ', data, p)
        if magic != MAGIC:
            p += 8  # containers are 8-byte aligned; padding between them is skipped
            continue
        containers += 1
        q, qe = p + hsz, p + hsz + fsz
        entries = []
        while q < qe:
            ehs, psz = struct.unpack_from('<IQ', data, q + 4)
            entries.append((struct.unpack_from('<I', data, q + 28)[0], bytes(data[q:q + ehs + psz])))
            q += ehs + psz
        keep = [e for a, e in entries if a == arch]
        if not keep:
            raise SystemExit(f'container at {p:#x} has no sm_{arch} entry: refusing to strip it')
        body = b''.join(keep)
        data[p + hsz:qe] = body + bytes(fsz - len(body))
        struct.pack_into('<Q', data, p + 8, len(body))
        kept += len(keep)
        dropped += len(entries) - len(keep)
        p = qe
    open(path, 'wb').write(data)
    print(f'{path}: {containers} containers, kept {kept} sm_{arch} entries, dropped {dropped}')


if __name__ == '__main__':
    main(sys.argv[1], int(sys.argv[2]))
