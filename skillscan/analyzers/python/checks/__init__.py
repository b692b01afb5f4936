"""The Python rule families, one module each, listed explicitly in `FAMILIES` (the visitor is built from
them, as bandit's plugins or zizmor's audits are listed). Each family extends the analysis core
(scope → values → call capabilities → taint → flows) with the checks of its rules; the visitor
(`visitor.py`) dispatches libcst's visit/leave events to them in a fixed order.

| family | rules |
|---|---|
| capabilities | the capability events of an API call (capability map rule ids), py-write-outside-package |
| environment | environment reads, whole-environment dumps and environment writes |
| tls | py-tls-verify-disabled |
| mining | py-mining-pool |
| reverse_shell | py-reverse-shell |
| process | process starts (capability map rule ids), py-detached-process, the shell analyzer on commands |
| decoded | decoded-payload (literals decoded to code, scanned as virtual files) |
| steering | py-outside-file-steers-output |
| upload | py-upload-to-drop-host |
| recipients | py-fixed-recipient-default, py-fixed-bcc |
| written_code | py-runs-written-code |
| data_command | py-runs-data-command |
| import_time | py-import-time-network, py-import-time-write |
| install_hook | py-install-hook-written |
| covert | py-data-in-dns-name, py-encoded-data-in-header |
| output | py-hidden-link-in-output, py-invisible-encoding, py-safety-downgrade-text |
| ranking | py-ranking-favours-entity |
| safety_strip | py-strips-safety-text |
| proxy | py-fixed-proxy-for-auth |
| served_code | py-request-code-eval |
| backdoor | py-hardcoded-password-bypass |

`deferred.py` is no family: it holds the reports a check makes about a node further down than the walk until
the walk reaches it (the locator searches forward in visiting order).

The flow rules (py-download-execute, py-exec-decoded-payload, py-secret-exfiltration-flow,
py-credential-flow) belong to the core: `flows.py`.
"""

from __future__ import annotations

from skillscan.analyzers.python.checks.backdoor import BackdoorChecks
from skillscan.analyzers.python.checks.capabilities import CapabilityChecks
from skillscan.analyzers.python.checks.covert import CovertChecks
from skillscan.analyzers.python.checks.data_command import DataCommandChecks
from skillscan.analyzers.python.checks.decoded import DecodedPayloadChecks
from skillscan.analyzers.python.checks.environment import EnvironmentChecks
from skillscan.analyzers.python.checks.import_time import ImportTimeChecks
from skillscan.analyzers.python.checks.install_hook import InstallHookChecks
from skillscan.analyzers.python.checks.mining import MiningChecks
from skillscan.analyzers.python.checks.output import OutputChecks
from skillscan.analyzers.python.checks.process import ProcessChecks
from skillscan.analyzers.python.checks.proxy import ProxyChecks
from skillscan.analyzers.python.checks.ranking import RankingChecks
from skillscan.analyzers.python.checks.recipients import RecipientChecks
from skillscan.analyzers.python.checks.reverse_shell import ReverseShellChecks
from skillscan.analyzers.python.checks.safety_strip import SafetyStripChecks
from skillscan.analyzers.python.checks.served_code import ServedCodeChecks
from skillscan.analyzers.python.checks.steering import SteeringChecks
from skillscan.analyzers.python.checks.tls import TlsChecks
from skillscan.analyzers.python.checks.upload import UploadChecks
from skillscan.analyzers.python.checks.written_code import WrittenCodeChecks

FAMILIES: tuple[type, ...] = (CapabilityChecks, EnvironmentChecks, TlsChecks, ProcessChecks, MiningChecks,
                              ReverseShellChecks, DecodedPayloadChecks, SteeringChecks, UploadChecks,
                              RecipientChecks, WrittenCodeChecks, ImportTimeChecks, InstallHookChecks,
                              CovertChecks, OutputChecks, RankingChecks, SafetyStripChecks, ProxyChecks,
                              ServedCodeChecks, DataCommandChecks, BackdoorChecks)
