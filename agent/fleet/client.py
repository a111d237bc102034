"""A Temporal client for the fleet's settings (address, namespace, TLS)."""

from temporalio.client import Client
from temporalio.service import TLSConfig

from agent.errors import UserError
from agent.fleet.settings import FleetSettings


def tls_config(fleet: FleetSettings) -> TLSConfig | bool:
    if not (fleet.tls or fleet.tls_ca or fleet.tls_cert):
        return False
    try:
        return TLSConfig(server_root_ca_cert=fleet.tls_ca.read_bytes() if fleet.tls_ca else None,
                         client_cert=fleet.tls_cert.read_bytes() if fleet.tls_cert else None,
                         client_private_key=fleet.tls_key.read_bytes() if fleet.tls_key else None)
    except OSError as exc:
        raise UserError(f"cannot read a TLS file of the fleet ({exc.filename}: {exc.strerror}); "
                        "fix tls_ca, tls_cert or tls_key in fleet.toml") from None


async def connect(fleet: FleetSettings) -> Client:
    try:
        return await Client.connect(fleet.address, namespace=fleet.namespace, tls=tls_config(fleet),
                                    api_key=fleet.api_key.get_secret_value() if fleet.api_key else None)
    except RuntimeError as exc:
        raise UserError(f"cannot reach the Temporal server at {fleet.address} ({exc}); start it "
                        "(`shopagent fleet dev-server` for local use) or fix `address` in fleet.toml") from None
