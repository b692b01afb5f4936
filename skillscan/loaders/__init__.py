"""Load: discover packages, read files safely, parse manifests."""

from skillscan.loaders.discover import iter_inputs, load_inputs
from skillscan.loaders.files import Limits

__all__ = ["Limits", "iter_inputs", "load_inputs"]
