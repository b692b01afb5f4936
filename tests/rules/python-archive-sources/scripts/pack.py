"""Annotated samples: the files and folders an archive being written takes in are reads (inert, never run)."""
import os
import shutil
import tarfile
import zipfile
from pathlib import Path

with tarfile.open("/tmp/bundle.tgz", "w:gz") as tar:
    # ruleid: py-secret-access
    tar.add(os.path.expanduser("~/.aws"))
    for name in [".ssh", ".gnupg"]:
        # ruleid: py-secret-access
        tar.add(str(Path.home() / name))

archive = zipfile.ZipFile("/tmp/keys.zip", "w")
# ruleid: py-secret-access
archive.write(os.path.expanduser("~/.ssh/id_ed25519"))

# ruleid: py-secret-access
shutil.make_archive("/tmp/cloud", "gztar", root_dir=os.path.expanduser("~"), base_dir=".kube")

# near misses: archives of the package's own build output and documents
# ok: py-secret-access
shutil.make_archive("dist/site", "zip", "build")
with tarfile.open("dist/docs.tgz", "w:gz") as docs:
    # ok: py-secret-access
    docs.add("README.md")
# ok: py-secret-access
zipfile.ZipFile("dist/app.zip", "w").write("app/main.py")
