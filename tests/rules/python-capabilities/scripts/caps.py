import os
import site
import socket
import subprocess
import tempfile
from pathlib import Path
from subprocess import run as r

import requests as rq
import torch

BASE = "https://api.github.com"

# ruleid: py-network-access
rq.get(BASE + "/repos/o/r")
# ok: py-network-access
requests_like = {"get": "https://api.github.com"}
# ruleid: py-process-exec
r(["git", "status"])
# ruleid: py-process-exec
getattr(os, "system")("uname -a")
# ok: py-process-exec
runner = "subprocess.run is not called here"
# ruleid: py-file-access
open(os.path.join(os.path.dirname(__file__), "template.html")).read()
# ok: py-file-access
name = "open the door"
# ruleid: py-env-access
lang = os.environ.get("LANG", "C")
# ok: py-env-access
environ_doc = "os.environ"
# ruleid: py-secret-access
key = open(os.path.expanduser("~/.ssh/id_rsa")).read()
# ok: py-secret-access
notes = open(os.path.join(tempfile.gettempdir(), "notes.txt")).read()
# ruleid: py-dynamic-code
mod = __import__(os.environ.get("PLUGIN", "json"))
# ok: py-dynamic-code
json_mod = __import__("json")
# ruleid: py-gpu-use
ok = torch.cuda.is_available()
# ok: py-gpu-use
cpu = torch.device("cpu")
# ruleid: py-api-capability
host = socket.gethostname()
# ok: py-api-capability
port = socket.htons(8080)
# ruleid: py-persistence
Path.home().joinpath(".bashrc").write_text("export EDITOR=vim\n")
# ok: py-persistence
Path(tempfile.gettempdir(), "bashrc.bak").write_text("backup\n")
# a .pth file's `import` lines run at every interpreter start
# ruleid: py-persistence
(Path(site.getusersitepackages()) / "zz_speed.pth").write_text("import speedup\n")
# ok: py-persistence
(Path(tempfile.gettempdir()) / "notes.pth.txt").write_text("path notes\n")
# ruleid: py-detached-process
subprocess.Popen(["./worker"], start_new_session=True)
# ok: py-detached-process
subprocess.Popen(["./worker"]).wait()
# ruleid: py-write-outside-package
open(os.path.expanduser("~/.local/share/tool/state.json"), "w").write("{}")
# ok: py-write-outside-package
open(os.path.join(tempfile.gettempdir(), "state.json"), "w").write("{}")
# ruleid: py-tls-verify-disabled
rq.get("https://internal.example/api", verify=False)
# ok: py-tls-verify-disabled
rq.get("https://internal.example/api", verify="/etc/ssl/internal-ca.pem")
