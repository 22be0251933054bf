"""Agents' REST API for full-text search of tickets (docs/search.md)."""
from flask import current_app, g
from flask_smorest import Blueprint

from ..agents.auth import require_role
from ..agents.models import Role
from .schemas import SearchArgs, SearchPageSchema
from .search import search_page

blp = Blueprint('search', __name__, url_prefix='/api/v1/search', description='Full-text search of tickets')


@blp.route('', methods=['GET'])
@require_role(Role.agent)
@blp.arguments(SearchArgs, location='query', as_kwargs=True)
@blp.response(200, SearchPageSchema)
def search_tickets(**args):
    """Tickets whose subject, messages or customer match `q`, best first, with highlighted snippets."""
    items, next_cursor = search_page(g.current_agent, args)
    return current_app.json.response({'items': items, 'next_cursor': next_cursor})
