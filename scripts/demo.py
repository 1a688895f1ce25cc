"""The whole job against the emulator: signed call, URL, progress, verified file.

Run by `nox -s demo` (the README's first command). Starts the emulator in this process with a
generated artifact of a few tens of MB, then runs `yunxiao-emas download` as a user would, in a
subprocess with the emulator's credentials in its environment, and checks the file it wrote.
"""

from __future__ import annotations

import hashlib
import os
import random
import shlex
import subprocess
import sys
import tempfile
from pathlib import Path

from yunxiao_emas.testing import EmulatedService

SIZE = 48 * 1024 * 1024
ORGANIZATION, PIPELINE, RUN, JOB, CONNECTION = "demo-org", 1111, 1, "emas-job-demo", 122


def main() -> int:
    print(f"generating a {SIZE // (1024 * 1024)} MiB artifact ...")
    content = random.Random(2021_06_25).randbytes(SIZE)  # noqa: S311 (test data, not a secret)
    service = EmulatedService(access_keys={"LTAIdemo": "demo-secret-of-the-emulator"})
    md5 = service.add_artifact(
        ORGANIZATION,
        PIPELINE,
        RUN,
        JOB,
        content,
        service_connection_id=CONNECTION,
        filename="app-release.apk",
    )
    with tempfile.TemporaryDirectory() as out, service.serve() as base_url:
        print(f"emulator listening on {base_url}; artifact md5 {md5}")
        command = [
            sys.executable,
            "-m",
            "yunxiao_emas.cli",
            "download",
            "--endpoint",
            base_url,
            "--organization-id",
            ORGANIZATION,
            "--pipeline-id",
            str(PIPELINE),
            "--pipeline-run-id",
            str(RUN),
            "--emas-job-instance-id",
            JOB,
            "--md5",
            md5,
            "--service-connection-id",
            str(CONNECTION),
            "--output",
            out,
        ]
        env = {
            **os.environ,
            "ALIBABA_CLOUD_ACCESS_KEY_ID": "LTAIdemo",
            "ALIBABA_CLOUD_ACCESS_KEY_SECRET": "demo-secret-of-the-emulator",
        }
        print("$ yunxiao-emas " + shlex.join(command[3:]))
        result = subprocess.run(command, env=env, check=False)
        if result.returncode != 0:
            print(f"demo failed: yunxiao-emas exited with {result.returncode}", file=sys.stderr)
            return 1
        written = Path(out) / "app-release.apk"
        digest = hashlib.md5(written.read_bytes(), usedforsecurity=False).hexdigest()
        if digest != md5:
            print(f"demo failed: the file's md5 is {digest}, expected {md5}", file=sys.stderr)
            return 1
        calls = service.api_calls
        print(f"the emulator answered {len(calls)} signed API call(s): {calls[-1]}")
        print(f"demo ok: {written.name}, {written.stat().st_size} bytes, md5 {digest} verified")
    return 0


if __name__ == "__main__":
    sys.exit(main())
