"""Helpers shared by the integration tests, which drive the built `tarn` binary as a user would.

Each test script takes the path of the binary as its first argument (ctest passes it).
"""
import os
import subprocess
import sys
import tempfile
import unittest

TARN = None


def aws_human_size(size):
    """The AWS CLI's own `aws s3 ls --human-readable` size (Debian's awscli, installed by
    scripts/install-deps.sh): the peer that tarn ls is checked against."""
    sys.path.append("/usr/lib/python3/dist-packages")
    from awscli.customizations.s3.utils import human_readable_size  # noqa: E402
    return human_readable_size(size)


def run(*args, input=None, check_rc=None, cwd=None, timeout=300):
    """Runs tarn with `args`; returns CompletedProcess with bytes stdout and text stderr."""
    proc = subprocess.run([TARN, *args], input=input, stdout=subprocess.PIPE,
                          stderr=subprocess.PIPE, cwd=cwd, timeout=timeout)
    proc.stderr = proc.stderr.decode("utf-8", "replace")
    if check_rc is not None and proc.returncode != check_rc:
        raise AssertionError(f"tarn {' '.join(args)} exited {proc.returncode}, expected "
                             f"{check_rc}; stderr:\n{proc.stderr}")
    return proc


class TempDirTest(unittest.TestCase):
    """A test case with a fresh temporary folder in self.tmp."""

    def setUp(self):
        self._tmp = tempfile.TemporaryDirectory(prefix="tarn-it-")
        self.tmp = self._tmp.name

    def tearDown(self):
        self._tmp.cleanup()


def main():
    global TARN
    if len(sys.argv) < 2:
        sys.exit("usage: TEST.py PATH_TO_TARN [unittest args]")
    TARN = os.path.abspath(sys.argv.pop(1))
    unittest.main(verbosity=2)
