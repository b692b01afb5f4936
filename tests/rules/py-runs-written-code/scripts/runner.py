"""Sample (inert): a code runner that writes the user's snippet and runs it — no decoder in the file."""
import subprocess
import sys
import tempfile


def run_snippet(code):
    with tempfile.NamedTemporaryFile(mode="w", suffix=".py", delete=False) as f:
        f.write(code)
    # ok: py-runs-written-code
    return subprocess.run([sys.executable, f.name], capture_output=True, text=True)
