"""A script the sample package ships: running it is not reported."""

print("markets")
