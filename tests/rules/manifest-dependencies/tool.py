# /// script
# requires-python = ">=3.11"
# dependencies = [
#   "pyyaml==6.0.2",  # ruleid: dependency-declared
# ]
# ///
print("hi")  # ok: dependency-declared
