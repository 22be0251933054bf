from marshmallow import fields

from ..core.schemas import Schema
from ..tickets.schemas import TicketSummarySchema


class MyTicketSchema(TicketSummarySchema):
    """A ticket summary (as in live events) with when it last moved and whether the agent has read it."""

    last_activity_at = fields.DateTime()
    unread = fields.Boolean()


class MyTicketsSchema(Schema):
    items = fields.List(fields.Nested(MyTicketSchema), required=True)


class ColleagueSchema(Schema):
    id = fields.Integer()
    name = fields.String()
    role = fields.String(attribute='role.value')
    languages = fields.List(fields.String())
    site = fields.Function(lambda a: a.site.name if a.site else None)
