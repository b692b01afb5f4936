"""Load: discover packages, read files safely, parse manifests."""

from skillscan.loaders.discover import load_inputs
from skillscan.loaders.files import Limits

__all__ = ["Limits", "load_inputs"]
