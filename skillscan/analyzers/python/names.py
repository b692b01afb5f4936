"""What the Python engine knows by name, without libcst: decoder functions and codec names, calls a value
passes through, path joins, network and keychain tools, and the word splitter for command strings."""

from __future__ import annotations

import shlex

MAX_EXPR_DEPTH = 60  # recursion bound of value / taint evaluation
MAX_TAINTS = 4
MAX_EVENTS = 2000  # findings per file
MAX_DECODED = 16  # virtual files per file
GUESS_MIN_LEN = 40

DECODERS = {
    "base64.b64decode": "base64", "base64.standard_b64decode": "base64", "base64.decodebytes": "base64",
    "base64.decodestring": "base64", "base64.urlsafe_b64decode": "base64url", "base64.b32decode": "base32",
    "base64.b16decode": "hex", "base64.b85decode": "base85", "base64.a85decode": "ascii85",
    "binascii.unhexlify": "hex", "binascii.a2b_hex": "hex", "binascii.a2b_base64": "base64",
    "bytes.fromhex": "hex", "bytearray.fromhex": "hex", "zlib.decompress": "zlib", "gzip.decompress": "gzip",
    "bz2.decompress": "bz2", "lzma.decompress": "lzma",
}
CODEC_NAMES = {"rot13": "rot13", "rot_13": "rot13", "rot-13": "rot13", "hex": "hex", "hex_codec": "hex",
               "base64": "base64", "base64_codec": "base64", "zlib": "zlib", "zlib_codec": "zlib", "bz2": "bz2",
               "bz2_codec": "bz2", "unicode_escape": "unicode-escape"}
PASS_THROUGH = {"os.path.expanduser", "os.path.abspath", "os.path.realpath", "os.path.normpath", "os.path.expandvars",
                "os.fspath", "str", "pathlib.Path", "pathlib.PurePath", "pathlib.PosixPath", "pathlib.WindowsPath",
                "posixpath.expanduser", "posixpath.abspath", "posixpath.normpath", "os.fsencode", "os.fsdecode",
                "bytes", "bytearray", "urllib.parse.quote", "textwrap.dedent", "shlex.quote", "shutil.which"}
JOINS = {"os.path.join", "posixpath.join", "ntpath.join", "pathlib.Path", "pathlib.PurePath", "pathlib.PosixPath"}
PATH_METHODS_PASS = {"resolve", "absolute", "expanduser", "strip", "rstrip", "lstrip", "lower", "encode", "decode",
                     "as_posix", "__str__", "__fspath__"}
NETWORK_TOOLS = {"curl", "wget", "nc", "ncat", "netcat", "socat", "scp", "sftp", "rsync", "ssh", "ftp", "telnet",
                 "sendmail", "mail", "mailx", "http", "httpie", "aws", "gsutil", "rclone"}
KEYCHAIN_TOOLS = {"security", "secret-tool", "cmdkey", "keyring"}
PATHLIB_ONLY = {"read_text", "read_bytes", "write_text", "write_bytes", "iterdir", "rglob"}
COPIES = {"shutil.copy", "shutil.copy2", "shutil.copyfile", "shutil.copytree", "shutil.move"}
# calls that read a file or folder they are given without the capability map saying so (its entry names what they
# write): the argument (position, keyword) that is read — a copy's source, the folder an archive is made of
SOURCES_READ: dict[str, tuple[int, str]] = {**{q: (0, "src") for q in COPIES}, "shutil.make_archive": (2, "root_dir")}
FLOW_KW_IGNORED = {"env", "cwd", "timeout", "check", "shell", "text", "encoding", "capture_output", "verify"}


def split_words(text: str) -> list[str]:
    try:
        return shlex.split(text, posix=True)
    except ValueError:
        return text.split()

