"""An S3-compatible service for the end-to-end tests: `moto_server` (moto[server] from PyPI) on
127.0.0.1 with signature checking on. moto checks SigV4 signatures against the secrets of IAM
users it knows once INITIAL_NO_AUTH_ACTION_COUNT unauthenticated actions have been served: the
first three (create a user, its access key, and a policy allowing S3) set that user up; every
request after them must be signed with that user's secret, or moto refuses it."""

import json
import os
import socket
import subprocess
import sys
import time
import uuid
from dataclasses import dataclass
from pathlib import Path

import boto3
from botocore.config import Config

from conftest import free_port

REGION = "us-east-1"
SETUP_ACTIONS = 3


@dataclass
class MotoS3:
    process: subprocess.Popen
    port: int
    access_key: str
    secret_key: str
    log_path: Path

    @property
    def endpoint(self):
        return f"http://127.0.0.1:{self.port}"

    def client(self, secret=None):
        """A standard S3 client (boto3) signed with this user's key, or with another secret."""
        return boto3.client(
            "s3", endpoint_url=self.endpoint, region_name=REGION, aws_access_key_id=self.access_key,
            aws_secret_access_key=secret or self.secret_key,
            config=Config(s3={"addressing_style": "path"}, retries={"max_attempts": 1}),
        )

    def new_bucket(self, name=None):
        name = name or f"haven-{uuid.uuid4().hex[:12]}"
        self.client().create_bucket(Bucket=name)
        return name

    def keys(self, bucket, prefix=""):
        """Every key under `prefix`, read with the standard client."""
        keys = []
        for page in self.client().get_paginator("list_objects_v2").paginate(Bucket=bucket, Prefix=prefix):
            keys.extend(item["Key"] for item in page.get("Contents", []))
        return keys

    def write_credentials(self, path, secret=None, mode=0o600):
        path = Path(path)
        path.write_text(f"[default]\naws_access_key_id = {self.access_key}\n"
                        f"aws_secret_access_key = {secret or self.secret_key}\n")
        path.chmod(mode)
        return path

    def store_settings(self, bucket, credentials_file, backend=None, prefix=None):
        """The [store] section of haven.toml for `bucket`."""
        lines = ["[store]"]
        if backend:
            lines.append(f'backend = "{backend}"')
        lines += [f'endpoint = "{self.endpoint}"', f'bucket = "{bucket}"', f'region = "{REGION}"',
                  f'credentials_file = "{credentials_file}"']
        if prefix is not None:
            lines.append(f'prefix = "{prefix}"')
        return "\n".join(lines) + "\n"

    def stop(self):
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=30)


def start_moto(directory):
    """Starts moto_server on a free loopback port and sets up one IAM user allowed S3."""
    port = free_port()
    log_path = Path(directory) / f"moto-{port}.log"
    env = {**os.environ, "INITIAL_NO_AUTH_ACTION_COUNT": str(SETUP_ACTIONS), "MOTO_PORT": str(port)}
    with open(log_path, "w") as log:
        process = subprocess.Popen(
            [sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(port)],
            stdout=log, stderr=subprocess.STDOUT, env=env,
        )
    deadline = time.monotonic() + 60
    while True:
        if process.poll() is not None:
            raise RuntimeError(f"moto_server exited with {process.returncode}:\n{log_path.read_text()}")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                break
        except OSError:
            if time.monotonic() > deadline:
                process.kill()
                raise RuntimeError(f"moto_server did not listen within 60 s:\n{log_path.read_text()}")
            time.sleep(0.05)
    iam = boto3.client("iam", endpoint_url=f"http://127.0.0.1:{port}", region_name=REGION,
                       aws_access_key_id="AKIASETUPSETUPSETUP0", aws_secret_access_key="setup")
    # The three unauthenticated actions moto allows; everything after them is checked.
    iam.create_user(UserName="haven")
    key = iam.create_access_key(UserName="haven")["AccessKey"]
    iam.put_user_policy(UserName="haven", PolicyName="s3", PolicyDocument=json.dumps({
        "Version": "2012-10-17",
        "Statement": [{"Effect": "Allow", "Action": "s3:*", "Resource": "*"}],
    }))
    return MotoS3(process=process, port=port, access_key=key["AccessKeyId"], secret_key=key["SecretAccessKey"],
                  log_path=log_path)


def backend_home(request, directory):
    """A new home whose chunks go where `request.param` says: "files" (objects/ in the home)
    or "s3" (a new bucket on the session's moto_server, with signature checking on)."""
    from conftest import make_home

    home = make_home(Path(directory) / "home")
    home.s3 = None
    if request.param == "s3":
        moto = request.getfixturevalue("moto_s3")
        bucket = moto.new_bucket()
        credentials = moto.write_credentials(Path(directory) / "s3-credentials")
        (home.path / "haven.toml").write_text(moto.store_settings(bucket, credentials, backend="s3"))
        home.s3 = (moto, bucket)
    return home


def stored_chunks(home):
    """The ids of the chunks the home's backend holds: files under objects/, or objects in its bucket."""
    if getattr(home, "s3", None):
        moto, bucket = home.s3
        return [key.rsplit("/", 1)[-1] for key in moto.keys(bucket, "chunks/")]
    objects = home.path / "objects"
    return [p.name for p in objects.glob("??/*") if p.is_file() and len(p.name) == 64]
