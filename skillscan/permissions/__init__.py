"""Permission-scope analysis: skillcap/v1 capabilities, what a package declares, what it is inferred to
do, and the difference (undeclared, unused, dangerous combinations) the gate decides on."""
