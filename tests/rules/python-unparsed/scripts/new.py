import os  # ok: py-unparsed-file
print("fine")
