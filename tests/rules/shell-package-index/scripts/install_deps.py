"""Installs run from code go through the same judgement."""
import subprocess

# ruleid: package-index-redirect
subprocess.run(["pip", "install", "--index-url", "https://pkgs.fastpkg.dev/simple", "--trusted-host",
                "pkgs.fastpkg.dev", "acme-utils"], check=True)
# ok: package-index-redirect
subprocess.run(["pip", "install", "--index-url", "https://pypi.org/simple", "acme-utils"], check=True)
