# Encodes export directories as the fuzz target's archive: a mode byte (3: reseal logs and
# manifests after mutation; the seeds are valid either way), then entries of
# kind u8, path_len u16, path, data_len u32, data.
import os, struct, sys
def entries(root, name):
    out = []
    for dirpath, dirnames, filenames in os.walk(os.path.join(root, name)):
        dirnames.sort()
        for f in sorted(filenames):
            full = os.path.join(dirpath, f)
            rel = os.path.relpath(full, root).replace(os.sep, '/')
            out.append((0, rel, open(full, 'rb').read()))
    return out
def encode(items):
    b = b''
    for kind, path, data in items:
        p = path.encode()
        b += struct.pack('<BH', kind, len(p)) + p + struct.pack('<I', len(data)) + data
    return b
root, outdir = sys.argv[1], sys.argv[2]
names = sys.argv[3:]  # export dirs in chain order, renamed 0, 1, 2
items = []
for i, n in enumerate(names):
    for kind, rel, data in entries(root, n):
        items.append((kind, str(i) + rel[len(n):], data))
open(os.path.join(outdir, 'chain-' + '-'.join(names)), 'wb').write(b'\x03' + encode(items))
