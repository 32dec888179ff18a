"""A throwaway OpenLDAP directory (Debian's `slapd`) on 127.0.0.1: people with passwords and groups
of them, to try the `ldap` login against before a hub is pointed at the community's real
directory. The guide on logins and the tests log in through it.

It lives in its own folder (configuration, data, process id), answers only on 127.0.0.1, and
`stop()` ends it; the passwords are generated with `secrets` and kept in memory and, like the
admin's, hashed in the directory.
"""

from __future__ import annotations

import base64
import hashlib
import secrets
import shutil
import signal
import socket
import subprocess
import time
from dataclasses import dataclass, field
from pathlib import Path

from .errors import CommunityHubsError
from .hubprocess import free_port

SLAPD = "/usr/sbin/slapd"
SLAPADD = "/usr/sbin/slapadd"
SCHEMAS = ("core", "cosine", "nis", "inetorgperson")
BASE = "dc=example,dc=org"


class DirectoryError(CommunityHubsError, RuntimeError):
    """The directory could not be made or started. str(error) is one line."""


def slapd_missing() -> str:
    """Why no directory can start here, or "" when it can."""
    if not Path(SLAPD).exists():
        return "slapd is not installed (Debian: apt-get install slapd)"
    return ""


def ssha(password: str) -> str:
    """OpenLDAP's salted SHA-1 form of a password, as `slappasswd` writes it."""
    salt = secrets.token_bytes(8)
    return "{SSHA}" + base64.b64encode(hashlib.sha1(password.encode() + salt).digest() + salt).decode()


@dataclass
class Directory:
    folder: Path
    port: int
    base: str
    passwords: dict[str, str] = field(repr=False)
    """Each person's generated password: give them to the people, never print them."""
    process: subprocess.Popen | None = field(default=None, repr=False)

    @property
    def address(self) -> str:
        return "127.0.0.1"

    @property
    def bind_dn_template(self) -> str:
        return f"uid={{username}},ou=people,{self.base}"

    def group_dn(self, group: str) -> str:
        return f"cn={group},ou=groups,{self.base}"

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        shutil.rmtree(self.folder, ignore_errors=True)


def entries(base: str, passwords: dict[str, str], groups: dict[str, list[str]]) -> str:
    """The directory's contents as LDIF: the organisation, its people and its groups."""
    top = base.split(",")[0].split("=")[1]
    blocks = [
        f"dn: {base}\nobjectClass: dcObject\nobjectClass: organization\ndc: {top}\no: {top}",
        f"dn: ou=people,{base}\nobjectClass: organizationalUnit\nou: people",
        f"dn: ou=groups,{base}\nobjectClass: organizationalUnit\nou: groups",
    ]
    for name, password in passwords.items():
        blocks.append(
            f"dn: uid={name},ou=people,{base}\nobjectClass: inetOrgPerson\nuid: {name}\ncn: {name}\nsn: {name}\n"
            f"userPassword: {ssha(password)}"
        )
    for group, members in groups.items():
        lines = [f"dn: cn={group},ou=groups,{base}", "objectClass: groupOfNames", f"cn: {group}"]
        lines += [f"member: uid={m},ou=people,{base}" for m in members]
        blocks.append("\n".join(lines))
    return "\n\n".join(blocks) + "\n"


def config(folder: Path, base: str) -> str:
    includes = "".join(f"include /etc/ldap/schema/{name}.schema\n" for name in SCHEMAS)
    return (
        f"{includes}pidfile {folder}/slapd.pid\nmodulepath /usr/lib/ldap\nmoduleload back_mdb\n"
        f'database mdb\nmaxsize 10485760\nsuffix "{base}"\nrootdn "cn=admin,{base}"\n'
        f"rootpw {ssha(secrets.token_urlsafe(24))}\ndirectory {folder}/data\n"
        # people may read the directory once bound (group membership), and only bind with a password
        "access to attrs=userPassword by anonymous auth by * none\naccess to * by users read by * none\n"
    )


def start_directory(folder: Path, people: list[str], groups: dict[str, list[str]], base: str = BASE) -> Directory:
    """A running directory in `folder` (made, and removed by `stop()`), with a generated password
    for each of `people` and `groups` of them. Raises DirectoryError, leaving nothing behind."""
    why = slapd_missing()
    if why:
        raise DirectoryError(f"no directory here: {why}")
    folder.mkdir(parents=True)
    (folder / "data").mkdir(mode=0o700)
    directory = Directory(folder, free_port(), base, {name: secrets.token_urlsafe(12) for name in people})
    try:
        conf = folder / "slapd.conf"
        conf.write_text(config(folder, base))
        conf.chmod(0o600)
        load = subprocess.run(
            [SLAPADD, "-f", str(conf), "-q"],
            input=entries(base, directory.passwords, groups),
            capture_output=True,
            text=True,
        )
        if load.returncode != 0:
            raise DirectoryError(f"slapadd refused the entries: {load.stderr.strip().splitlines()[-1:]}")
        url = f"ldap://{directory.address}:{directory.port}/"
        # -d 0: stay in the foreground (this process owns it) and print nothing
        directory.process = subprocess.Popen(
            [SLAPD, "-f", str(conf), "-h", url, "-d", "0"], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE
        )
        deadline = time.monotonic() + 20
        while True:
            try:
                socket.create_connection((directory.address, directory.port), timeout=1).close()
                return directory
            except OSError:
                if directory.process.poll() is not None or time.monotonic() > deadline:
                    raise DirectoryError(f"slapd did not answer on {url}") from None
                time.sleep(0.1)
    except BaseException:
        directory.stop()
        raise
