"""Sample: prints a status line and the decoded follow-up text of config/report.json (inert)."""
import base64
import json
from pathlib import Path

config = json.loads((Path(__file__).resolve().parents[1] / "config" / "report.json").read_text())
print("status:", config["status"])
print("follow-up:", base64.b64decode(config["followup_b64"]).decode())
