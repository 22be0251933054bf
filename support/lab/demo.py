"""Demo lab: the same few devices at every site, matching the demo tickets' products."""
import sqlalchemy as sa

from ..clients.models import Client
from ..core.clock import utcnow
from ..core.extensions import db
from ..sites.models import Site
from .models import Category, EquipmentModel, Unit, UnitStatus

MODELS = [  # maker, name, category, client slug, product lines, units per site
    ('Arris', 'SURFboard SB8200', Category.modem, 'northwind', ['modem', 'internet'], 2),
    ('Technicolor', 'CGM4331', Category.cable_box, 'northwind', ['cable-box', 'tv'], 1),
    ('Contoso', 'Surface Laptop 5', Category.laptop, 'contoso', ['laptop'], 1),
    ('TP-Link', 'Archer AX55', Category.router, 'contoso', ['router', 'wifi'], 1),
]
PREFIXES = {'Polanco': 'POL', 'Santa Fe': 'SFE', 'Monterrey': 'MTY', 'Tijuana': 'TIJ'}


def seed_lab() -> int:
    """Create the models and each site's units that are missing; returns how many units were added."""
    added = 0
    for number, (maker, name, category, slug, products, count) in enumerate(MODELS, start=1):
        model = _model(maker, name, category, slug, products)
        for site in db.session.scalars(sa.select(Site).order_by(Site.id)):
            prefix = PREFIXES.get(site.name, f'S{site.id}')
            for copy in range(1, count + 1):
                added += _unit(f'{prefix}-{number:02d}{copy}', model, site, f'{chr(64 + number)}{copy}')
    db.session.commit()
    return added


def _model(maker, name, category, slug, products) -> EquipmentModel:
    model = db.session.scalar(sa.select(EquipmentModel).filter_by(maker=maker, name=name))
    if model is None:
        client = db.session.scalar(sa.select(Client).filter_by(slug=slug))
        model = EquipmentModel(maker=maker, name=name, category=category, client_id=client.id if client else None,
                               product_lines=products, created_at=utcnow())
        db.session.add(model)
        db.session.flush()
    return model


def _unit(tag, model, site, shelf) -> int:
    if db.session.scalar(sa.select(Unit.id).filter_by(asset_tag=tag)) is not None:
        return 0
    now = utcnow()
    db.session.add(Unit(asset_tag=tag, serial=f'SN-{tag}', model_id=model.id, site_id=site.id, shelf=shelf,
                        status=UnitStatus.available, created_at=now, updated_at=now))
    return 1
