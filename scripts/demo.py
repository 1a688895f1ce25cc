"""The whole job against the emulator: signed call, URL, progress, verified file.

Run by `nox -s demo` (the README's first command). Starts the emulator in this process with a
generated artifact of a few tens of MB, then runs `yunxiao-emas download` as a user would, in a
subprocess with the emulator's credentials in its environment, and checks the file it wrote.

`--keep DIR` downloads into DIR and leaves the file there (nox -s demo keeps it in .nox/demo/),
and the demo ends by saying how to run the same download again by hand; without it the file
goes to a temporary folder, deleted at the end.
"""

from __future__ import annotations

import argparse
import contextlib
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


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--keep", metavar="DIR", type=Path, help="download into DIR, and keep")
    keep: Path | None = parser.parse_args(argv).keep
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
    with contextlib.ExitStack() as stack:
        if keep is None:
            out = stack.enter_context(tempfile.TemporaryDirectory())
        else:
            keep.mkdir(parents=True, exist_ok=True)
            out = str(keep)
            # A file of an earlier run: the download would skip it, and show nothing.
            (keep / "app-release.apk").unlink(missing_ok=True)
        base_url = stack.enter_context(service.serve())
        print(f"emulator listening on {base_url} (until the demo ends); artifact md5 {md5}")
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
        credentials = {
            "ALIBABA_CLOUD_ACCESS_KEY_ID": "LTAIdemo",
            "ALIBABA_CLOUD_ACCESS_KEY_SECRET": "demo-secret-of-the-emulator",
        }
        env = {**os.environ, **credentials}
        # The emulator's own made-up key, shown so that the line says all the command needs.
        shown = " ".join(f"{name}={value}" for name, value in credentials.items())
        print(f"$ {shown} yunxiao-emas " + shlex.join(command[3:]))
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
    if keep is not None:
        command = shlex.quote(str(Path(sys.executable).parent / "yunxiao-emas"))
        print(
            f"the file stays in {written}; the emulator has stopped. To download it again by "
            f"hand, serve it:\n  {command} emulator --port 0 --artifact {shlex.quote(str(written))}"
            "\nwhose first lines print its credentials and a download command to paste."
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
