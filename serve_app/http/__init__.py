"""The HTTP layer: FastAPI routers, schemas, npz bodies, body limit, API keys, and the
one error mapping; `ingress.APIIngress` serves them as a Serve deployment."""
