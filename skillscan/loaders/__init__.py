"""Load: discover packages, read files safely (files, archives, remote sources), dependency manifests.
The package formats themselves live in skillscan.formats."""
