import subprocess

# ruleid: tunnel-ngrok
from pyngrok import ngrok
# ruleid: tunnel-ssh-reverse
subprocess.run(["autossh", "-M", "0", "-N", "relay@198.51.100.9"])
