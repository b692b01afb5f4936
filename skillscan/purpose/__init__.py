"""Purpose coherence: what a package says it is for (its stated services), the registrable domains
its hosts belong to, the services table in `rules/purpose/`, whether an inferred fact is explained
by the stated purpose, and the host agents' own locations. Every module here takes plain inputs
(strings, lists), so it does not depend on how packages are loaded."""
