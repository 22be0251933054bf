"""REST for SLA policies: ``/api/v1/clients/<slug>/sla-policies`` (supervisors and admins)."""
from flask_smorest import Blueprint

from ..agents.auth import require_role
from ..agents.models import Role
from ..agents.scope import scoped_client
from ..core.extensions import db
from . import policies, receivers, tasks  # noqa: F401  (signal receivers; jobs for the worker)
from .schemas import PolicyInSchema, PolicyOutSchema, PolicyPatchSchema, ReorderSchema

blp = Blueprint('sla', __name__, url_prefix='/api/v1/clients/<slug>/sla-policies',
                description="A client's SLA policies: targets per metric, on a business calendar")


@blp.route('', methods=['GET'])
@require_role(Role.supervisor)
@blp.response(200, PolicyOutSchema(many=True))
def list_policies(slug):
    """The client's policies in the order they are tried (the first that matches a ticket applies)."""
    return policies.list_policies(scoped_client(slug))


@blp.route('', methods=['POST'])
@require_role(Role.supervisor)
@blp.arguments(PolicyInSchema)
@blp.response(201, PolicyOutSchema)
def post_policy(data, slug):
    """Add a policy; the client's open tickets are re-planned in a job."""
    policy = policies.create_policy(scoped_client(slug), data)
    db.session.commit()
    return policy


@blp.route('/order', methods=['PUT'])
@require_role(Role.supervisor)
@blp.arguments(ReorderSchema)
@blp.response(200, PolicyOutSchema(many=True))
def put_order(data, slug):
    """Reorder all of the client's policies."""
    ordered = policies.reorder(scoped_client(slug), data['ids'])
    db.session.commit()
    return ordered


@blp.route('/<int:policy_id>', methods=['GET'])
@require_role(Role.supervisor)
@blp.response(200, PolicyOutSchema)
def get_policy(slug, policy_id):
    """One policy."""
    return policies.get_policy(scoped_client(slug), policy_id)


@blp.route('/<int:policy_id>', methods=['PATCH'])
@require_role(Role.supervisor)
@blp.arguments(PolicyPatchSchema(partial=True))
@blp.response(200, PolicyOutSchema)
def patch_policy(data, slug, policy_id):
    """Change a policy; running clocks follow (in a job), met and breached ones never change."""
    client = scoped_client(slug)
    policy = policies.update_policy(client, policies.get_policy(client, policy_id), data)
    db.session.commit()
    return policy


@blp.route('/<int:policy_id>', methods=['DELETE'])
@require_role(Role.supervisor)
@blp.response(204)
def delete_policy(slug, policy_id):
    """Delete a policy; its running clocks are re-planned by the next policy that matches (or cancelled)."""
    client = scoped_client(slug)
    policies.delete_policy(client, policies.get_policy(client, policy_id))
    db.session.commit()
