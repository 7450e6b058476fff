"""Entry points of ``prefect.yaml``'s work-pool deployments: the flows as ``flows.served`` configures them.

A worker imports this module when it starts a flow run, so SANAD_BATCH_CONCURRENCY and SANAD_DASK_ADDRESS
are read on the worker at run time, as ``sanad serve`` reads them when it starts.
"""

from flows.served import configured_flows
from flows.settings import FlowSettings

_flows = configured_flows(FlowSettings())
verify_article = _flows["verify-article"]
verify_batch = _flows["verify-batch"]
ingest_evidence = _flows["ingest-evidence"]
reverify_claims = _flows["reverify-claims"]
