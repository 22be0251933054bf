from tests.routing.conftest import Routing, routing  # noqa: F401  (the routing shortcuts)
