"""Merge the areas built in parallel on the foundation: routing, channels, outbound, lab, console.

Revision ID: 0007_merge_areas
Revises: 0002_routing, 0003_channels, 0004_outbound, 0005_lab, 0006_console
"""

revision = '0007_merge_areas'
down_revision = ('0002_routing', '0003_channels', '0004_outbound', '0005_lab', '0006_console')
branch_labels = None
depends_on = None


def upgrade():
    pass


def downgrade():
    pass
