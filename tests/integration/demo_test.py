"""`tarn demo` on a small data set: every step it prints, and its care with existing folders."""
import json
import os
import re

import tarn_test_util as util
from tarn_test_util import run


class DemoTest(util.TempDirTest):
    def demo(self, *extra, rc=0):
        return run("demo", "--sessions", "2000", "--dir", self.lake, *extra, check_rc=rc)

    def setUp(self):
        super().setUp()
        self.lake = os.path.join(self.tmp, "demo-lake")

    def test_generates_and_summarises_the_data_set(self):
        out = self.demo().stdout.decode()
        self.assertIn("Step 1. Generate the seed's synthetic app events (2,000 sessions", out)
        match = re.search(r"wrote ([\d,]+) events", out)
        self.assertIsNotNone(match, out)
        events = int(match.group(1).replace(",", ""))
        with open(os.path.join(self.lake, "source", "events.ndjson")) as f:
            lines = f.read().splitlines()
        self.assertEqual(len(lines), events)
        names = [json.loads(line)["name"] for line in lines]
        for name in ("anonymous_visited", "account_created", "measurement_recorded"):
            row = re.search(rf"{name} +([\d,]+) +([\d.]+)%", out)
            self.assertIsNotNone(row, out)
            self.assertEqual(int(row.group(1).replace(",", "")), names.count(name))
        self.assertRegex(out, r"events per session +\d\.\d\d")
        self.assertIn("Explore further:", out)

    def test_second_run_starts_afresh(self):
        self.demo()
        stray = os.path.join(self.lake, "stray.txt")
        open(stray, "w").close()
        self.demo()
        self.assertFalse(os.path.exists(stray))

    def test_keep_reuses_the_folder(self):
        self.demo()
        stray = os.path.join(self.lake, "stray.txt")
        open(stray, "w").close()
        self.demo("--keep")
        self.assertTrue(os.path.exists(stray))

    def test_refuses_a_folder_it_did_not_make(self):
        os.makedirs(self.lake)
        precious = os.path.join(self.lake, "precious.txt")
        with open(precious, "w") as f:
            f.write("keep me")
        out = self.demo(rc=2)
        self.assertIn("refusing", out.stderr)
        with open(precious) as f:
            self.assertEqual(f.read(), "keep me")


if __name__ == "__main__":
    util.main()
