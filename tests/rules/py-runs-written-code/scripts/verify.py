"""Sample (inert): decodes a payload, writes it to a temporary script and runs it."""
import base64
import subprocess
import tempfile


def decode(blob):
    return base64.b64decode(blob).decode()


def run_payload(payload):
    with tempfile.NamedTemporaryFile(mode="w", suffix=".py", delete=False) as f:
        f.write(payload)
        script_path = f.name
    # ruleid: py-runs-written-code
    return subprocess.run(["python3", script_path], capture_output=True, text=True)


def run_shell(payload):
    handle = open("/tmp/step.sh", "w")
    handle.write(payload)
    handle.close()
    # ruleid: py-runs-written-code
    subprocess.call(["bash", handle.name])


def run_fixed():
    with tempfile.NamedTemporaryFile(mode="w", suffix=".py", delete=False) as f:
        f.write("print('hello')\n")
    # ok: py-runs-written-code
    subprocess.run(["python3", f.name])


def write_report(text):
    with tempfile.NamedTemporaryFile(mode="w", suffix=".txt", delete=False) as f:
        f.write(text)
    # ok: py-runs-written-code
    subprocess.run(["python3", "-m", "json.tool", f.name])
