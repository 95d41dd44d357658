"""`tarn ls` and `tarn cat` on a small hand-made lake.

`tarn ls` must print what `aws s3 ls` prints for the same objects. Its size rule is checked
against the AWS CLI's own human_readable_size (Debian's awscli, a peer, not our code).
"""
import gzip
import os
import struct
import subprocess
import time
import unittest

import tarn_test_util as util
from tarn_test_util import run

MTIME = 1_690_000_000  # 2023-07-22 04:26:40 UTC
SIZES = {  # key -> size; names chosen so that byte order differs from folder walk order
    "events_raw/json/name=a/d=2023-07-31/one.gz": 1,
    "events_raw/json/name=a/d=2023-07-31/two.gz": 1023,
    "events_raw/json/name=a-b/d=2023-07-31/x.gz": 1024,
    "events_raw/json/name=b/d=2023-08-01/y.gz": 1_048_500,
    "events_raw/json/top.txt": 0,
    "events_raw/parquet/name=a/d=2023-07-31/p.parquet": 5_000_000,
}


def human(size):
    return util.aws_human_size(size)


def stamp(seconds):
    return time.strftime("%Y-%m-%d %H:%M:%S", time.localtime(seconds))


def masked_crc32c(data):
    crc = 0xFFFFFFFF
    for byte in data:
        crc ^= byte
        for _ in range(8):
            crc = (crc >> 1) ^ 0x82F63B78 if crc & 1 else crc >> 1
    crc ^= 0xFFFFFFFF
    return (((crc >> 15) | (crc << 17)) + 0xA282EAD8) & 0xFFFFFFFF


def snappy_framed_stored(data):
    """Snappy's framing format with every chunk stored (type 0x01), which needs no compressor."""
    out = b"\xff\x06\x00\x00sNaPpY"
    for i in range(0, len(data), 65536):
        chunk = data[i:i + 65536]
        out += b"\x01" + struct.pack("<I", len(chunk) + 4)[:3] + struct.pack("<I", masked_crc32c(chunk))
        out += chunk
    return out


def snappy_raw_literals(data):
    """Snappy's raw format holding `data` as literals only (a valid, if useless, compression):
    the length as a varint, then literal elements of at most 65,536 bytes (tag 61<<2: the
    length less one in the next two bytes)."""
    n, out = len(data), bytearray()
    while True:
        out.append((n & 0x7F) | (0x80 if n >= 0x80 else 0))
        n >>= 7
        if n == 0:
            break
    for i in range(0, len(data), 65536):
        piece = data[i:i + 65536]
        out += bytes([61 << 2]) + struct.pack("<H", len(piece) - 1) + piece
    return bytes(out)


def snappy_framed_compressed(data):
    out = b"\xff\x06\x00\x00sNaPpY"
    for i in range(0, len(data), 65536):
        chunk = data[i:i + 65536]
        body = snappy_raw_literals(chunk)
        out += b"\x00" + struct.pack("<I", len(body) + 4)[:3] + struct.pack("<I", masked_crc32c(chunk))
        out += body
    return out


def hadoop_snappy(data, block=100_000):
    """Hadoop's BlockCompressorStream: per block, its length, then chunks (length, data)."""
    out = b""
    for i in range(0, len(data), block):
        piece = data[i:i + block]
        out += struct.pack(">I", len(piece))
        for j in range(0, len(piece), 40_000):
            chunk = snappy_raw_literals(piece[j:j + 40_000])
            out += struct.pack(">I", len(chunk)) + chunk
    return out


class LsCatTest(util.TempDirTest):
    def setUp(self):
        super().setUp()
        self.lake = os.path.join(self.tmp, "lake")
        self.bucket = os.path.join(self.lake, "tarn-demo")
        for key, size in SIZES.items():
            self.put(key, b"x" * size)
        os.makedirs(os.path.join(self.lake, "_tarn", "tmp"))
        os.makedirs(os.path.join(self.lake, "other-bucket"))

    def put(self, key, data):
        path = os.path.join(self.bucket, key)
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, "wb") as f:
            f.write(data)
        os.utime(path, (MTIME, MTIME))
        return f"s3://tarn-demo/{key}"

    def ls(self, *args, rc=0):
        proc = run("ls", "--lake", self.lake, *args, check_rc=rc)
        return proc.stdout.decode()

    def cat(self, uri, rc=0):
        return run("cat", "--lake", self.lake, uri, check_rc=rc)

    # ---- tarn ls -------------------------------------------------------------------------

    def test_recursive_lists_full_keys_in_byte_order_with_aligned_sizes(self):
        out = self.ls("s3://tarn-demo/events_raw/json/", "--recursive")
        keys = sorted(k for k in SIZES if k.startswith("events_raw/json/"))
        expected = "".join(f"{stamp(MTIME)} {str(SIZES[k]).rjust(10)} {k}\n" for k in keys)
        self.assertEqual(out, expected)
        # '-' sorts before '/': name=a-b/ comes before name=a/ as S3 lists keys.
        self.assertLess(out.index("name=a-b/"), out.index("name=a/"))

    def test_human_readable_and_summarize_follow_aws(self):
        out = self.ls("s3://tarn-demo/events_raw/json/", "--recursive", "--human-readable",
                      "--summarize")
        keys = sorted(k for k in SIZES if k.startswith("events_raw/json/"))
        lines = [f"{stamp(MTIME)} {human(SIZES[k]).rjust(10)} {k}" for k in keys]
        total = sum(SIZES[k] for k in keys)
        lines += ["", f"Total Objects: {len(keys)}", f"   Total Size: {human(total)}"]
        self.assertEqual(out, "\n".join(lines) + "\n")
        # The awscli rules at their edges: one byte, just under 1 KiB, 1,048,500 bytes rounds
        # up into MiB rather than printing 1023.9 KiB.
        self.assertIn("     1 Byte events_raw/json/name=a/d=2023-07-31/one.gz", out)
        self.assertIn("1023 Bytes", out)
        self.assertIn("   1.0 MiB events_raw/json/name=b/", out)

    def test_without_recursive_shows_common_prefixes_then_objects(self):
        out = self.ls("s3://tarn-demo/events_raw/json/")
        self.assertEqual(out, "".join([
            f"{'PRE'.rjust(30)} name=a-b/\n",
            f"{'PRE'.rjust(30)} name=a/\n",
            f"{'PRE'.rjust(30)} name=b/\n",
            f"{stamp(MTIME)} {'0'.rjust(10)} top.txt\n",
        ]))
        # A prefix that is not a folder boundary lists the prefixes it starts.
        self.assertEqual(self.ls("s3://tarn-demo/events_raw/js"), f"{'PRE'.rjust(30)} json/\n")

    def test_summarize_without_human_readable_prints_bytes(self):
        out = self.ls("s3://tarn-demo/events_raw/parquet/", "--recursive", "--summarize")
        self.assertTrue(out.endswith("\nTotal Objects: 1\n   Total Size: 5000000\n"), out)

    def test_buckets_are_the_lake_folders_without_tarn(self):
        out = self.ls("s3://")
        names = [line.split(" ", 2)[2] for line in out.splitlines()]
        self.assertEqual(names, ["other-bucket", "tarn-demo"])

    def test_errors_and_exit_codes(self):
        self.assertIn("NoSuchBucket", run("ls", "--lake", self.lake, "s3://nope/", check_rc=1).stderr)
        self.assertIn("not an s3:// path", run("ls", "--lake", self.lake, "tarn-demo/x",
                                               check_rc=2).stderr)
        self.assertIn("'..'", run("ls", "--lake", self.lake, "s3://tarn-demo/../x",
                                  check_rc=2).stderr)
        # A named prefix that matches nothing: no output, exit 1 (as aws); an empty bucket: 0.
        self.assertEqual(self.ls("s3://tarn-demo/missing/", rc=1), "")
        self.assertEqual(self.ls("s3://other-bucket"), "")

    # ---- tarn cat ------------------------------------------------------------------------

    def test_cat_decompresses_by_extension(self):
        text = b"".join(b'{"name": "a", "n": %d}\n' % i for i in range(1000))
        self.assertEqual(self.cat(self.put("c/plain.json", text)).stdout, text)
        self.assertEqual(self.cat(self.put("c/one.gz", gzip.compress(text))).stdout, text)
        # Concatenated gzip members read as one stream, as gzip -d does.
        two = gzip.compress(text[:500]) + gzip.compress(text[500:])
        self.assertEqual(self.cat(self.put("c/two.gz", two)).stdout, text)
        zst = subprocess.run(["zstd", "-q", "-c"], input=text, stdout=subprocess.PIPE,
                             check=True).stdout
        self.assertEqual(self.cat(self.put("c/one.zst", zst)).stdout, text)
        big = text * 100  # More than one 64 KiB snappy chunk.
        self.assertEqual(self.cat(self.put("c/one.snappy", snappy_framed_stored(big))).stdout, big)
        self.assertEqual(self.cat(self.put("c/two.snappy", snappy_framed_compressed(big))).stdout,
                         big)
        self.assertEqual(self.cat(self.put("c/hadoop.snappy", hadoop_snappy(big))).stdout, big)

    def test_cat_reports_damage_and_bad_paths(self):
        framed = bytearray(snappy_framed_stored(b"hello\n" * 10))
        framed[-1] ^= 1
        self.assertIn("checksum", self.cat(self.put("c/bad.snappy", bytes(framed)), rc=1).stderr)
        self.assertIn("gzip", self.cat(self.put("c/bad.gz", b"not gzip at all"), rc=1).stderr)
        self.assertIn("NoSuchKey", self.cat("s3://tarn-demo/c/none.gz", rc=1).stderr)
        self.assertIn("NoSuchBucket", self.cat("s3://nope/x.gz", rc=1).stderr)
        self.assertIn("names no object", self.cat("s3://tarn-demo/c/", rc=2).stderr)
        self.assertIn("not an s3:// path", self.cat("/etc/passwd", rc=2).stderr)

    def test_cat_refuses_parquet_with_a_hint(self):
        proc = self.cat("s3://tarn-demo/events_raw/parquet/name=a/d=2023-07-31/p.parquet", rc=1)
        self.assertIn("tarn query", proc.stderr)
        self.assertEqual(proc.stdout, b"")

    def test_cat_into_a_closed_pipe_exits_quietly(self):
        lines = b"".join(b'{"line": %d, "pad": "%s"}\n' % (i, b"x" * 100) for i in range(200_000))
        uri = self.put("c/big.gz", gzip.compress(lines, compresslevel=1))
        proc = subprocess.Popen([util.TARN, "cat", "--lake", self.lake, uri],
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        first = proc.stdout.readline()
        proc.stdout.close()  # As `| head -1` does.
        rc = proc.wait(timeout=60)
        stderr = proc.stderr.read().decode()
        proc.stderr.close()
        self.assertEqual(first, b'{"line": 0, "pad": "' + b"x" * 100 + b'"}\n')
        self.assertEqual(rc, 0, stderr)
        self.assertEqual(stderr, "")


if __name__ == "__main__":
    util.main()
