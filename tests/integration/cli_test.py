"""The `tarn` command line: help, version, and one-line errors with exit code 2."""
import os
import re
import subprocess

import tarn_test_util as util
from tarn_test_util import run

SUBCOMMANDS = ["generate", "convert", "query", "catalog", "demo", "serve", "send"]


class CliTest(util.TempDirTest):
    def assert_usage_error(self, args, *mentions):
        out = run(*args)
        self.assertEqual(out.returncode, 2, out.stderr)
        self.assertEqual(out.stdout, b"")
        lines = out.stderr.strip().splitlines()
        self.assertEqual(len(lines), 1, out.stderr)
        for mention in mentions:
            self.assertIn(mention, lines[0])

    def test_help_lists_every_subcommand_with_one_line(self):
        out = run("--help", check_rc=0).stdout.decode()
        for name in SUBCOMMANDS:
            self.assertRegex(out, rf"\n  {name} +\S.*\n")

    def test_every_subcommand_has_help(self):
        for name in SUBCOMMANDS:
            out = run(name, "--help", check_rc=0).stdout.decode()
            self.assertIn(f"Usage: tarn {name}", out)

    def test_version(self):
        out = run("--version", check_rc=0).stdout.decode()
        self.assertRegex(out, r"^tarn \d+\.\d+\.\d+\n$")

    def test_no_subcommand_prints_help_and_fails(self):
        out = run()
        self.assertEqual(out.returncode, 2)
        self.assertIn("Subcommands:", out.stderr)

    def test_unknown_subcommand_and_flags(self):
        self.assert_usage_error(["frobnicate"], "frobnicate")
        self.assert_usage_error(["--frob"], "--frob")
        self.assert_usage_error(["generate", "--frob"], "--frob")
        self.assert_usage_error(["demo", "--frob", "1"], "--frob")

    def test_bad_values_name_the_flag(self):
        self.assert_usage_error(["generate", "--sessions", "abc"], "--sessions")
        self.assert_usage_error(["generate", "--sessions", "-5"], "--sessions")
        self.assert_usage_error(["generate", "--sessions", "99999999999"], "--sessions")
        self.assert_usage_error(["generate", "--duplicate-probability", "1.5"],
                                "--duplicate-probability")
        self.assert_usage_error(["generate", "--seed", "x"], "--seed")
        self.assert_usage_error(["generate", "--now", "yesterday"], "--now")
        self.assert_usage_error(["generate", "--now", "2023-02-30"], "--now")
        self.assert_usage_error(["generate", "--now", "2019-12-31 23:59:59"], "--now")
        self.assert_usage_error(["demo", "--sessions", "0"], "--sessions")

    def test_unwritable_output_fails_cleanly(self):
        target = os.path.join(self.tmp, "missing", "events.ndjson")
        out = run("generate", "--sessions", "10", "-o", target)
        self.assertEqual(out.returncode, 1)
        self.assertIn(target, out.stderr)
        self.assertFalse(os.path.exists(os.path.dirname(target)))

    def test_closed_pipe_ends_quietly(self):
        proc = subprocess.Popen(f"'{util.TARN}' generate --sessions 50000 | head -n 1",
                                shell=True, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        stdout, stderr = proc.communicate(timeout=120)
        self.assertEqual(len(stdout.splitlines()), 1)
        self.assertEqual(stderr, b"")


if __name__ == "__main__":
    util.main()
