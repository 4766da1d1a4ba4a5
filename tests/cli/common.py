"""Shared helpers for the command-line tests: where the binary and sources are."""
import os
import subprocess
import sys
import tempfile

MYELIN = os.environ["MYELIN"]
SOURCE = os.environ["MYELIN_SOURCE"]


def myelin(*args, check=False):
    """Runs myelin; returns the CompletedProcess (text output)."""
    result = subprocess.run([MYELIN, *args], capture_output=True, text=True, timeout=600)
    if check and result.returncode != 0:
        sys.exit(f"myelin {' '.join(args)} failed ({result.returncode}):\n{result.stderr}")
    return result


def temp_dir():
    return tempfile.mkdtemp(prefix="myelin-test-")


class Failures:
    """Collects failures so one run reports all of them; ends with the summary line."""

    def __init__(self):
        self.failed, self.passed = [], 0

    def check(self, ok, what):
        if ok:
            self.passed += 1
        else:
            self.failed.append(what)
            print("FAIL:", what)

    def finish(self):
        print(f"{self.passed} passed, {len(self.failed)} failed")
        sys.exit(1 if self.failed else 0)
