"""CSV import of lab units (and their models): bad rows are reported by line, good rows load.

Units are matched by asset tag and models by maker + model, so running the same file
again updates in place and duplicates nothing. Each row is its own savepoint.
"""
import csv
import io

import sqlalchemy as sa
from marshmallow import EXCLUDE, ValidationError, fields, validate

from ..clients.models import Client
from ..core.clock import utcnow
from ..core.errors import ValidationFailed
from ..core.extensions import db
from ..core.i18n import _, _l
from ..core.schemas import Schema, Text
from ..sites.models import Site
from .models import Category, Condition, EquipmentModel, Unit, UnitStatus
from .operations import normalise_products, set_admin_status
from .schemas import asset_tag_field

REQUIRED = ('asset_tag', 'maker', 'model', 'site')
OPTIONAL = ('serial', 'category', 'shelf', 'condition', 'status', 'client', 'product_lines', 'photo_url', 'notes')
MAX_ROWS = 5000
_IN_USE = (UnitStatus.checked_out, UnitStatus.reserved)


class CsvRowSchema(Schema):
    class Meta:
        unknown = EXCLUDE

    asset_tag = asset_tag_field(required=True)
    maker = Text(required=True, min_length=1, max_length=120)
    model = Text(required=True, min_length=1, max_length=120)
    site = Text(required=True, min_length=1, max_length=120)
    serial = Text(max_length=120, allow_none=True)
    category = fields.String(allow_none=True, validate=validate.OneOf([c.value for c in Category]))
    shelf = Text(max_length=120, allow_none=True)
    condition = fields.String(allow_none=True, validate=validate.OneOf([c.value for c in Condition]))
    status = fields.String(allow_none=True, validate=validate.OneOf(
        [UnitStatus.available.value, UnitStatus.maintenance.value, UnitStatus.retired.value]))
    client = Text(max_length=64, allow_none=True)
    product_lines = Text(max_length=600, allow_none=True)
    photo_url = fields.Url(allow_none=True, schemes={'http', 'https'}, validate=validate.Length(max=500))
    notes = Text(max_length=2000, allow_none=True, multiline=True)


class RowError(Exception):
    def __init__(self, fields):
        self.fields = fields


def import_units(raw: bytes) -> dict:
    """Load a CSV (header row first; ``asset_tag,maker,model,site`` required). Commits good rows."""
    reader = csv.DictReader(io.StringIO(_decode(raw)))
    _check_header(reader.fieldnames)
    result = {'created': 0, 'updated': 0, 'unchanged': 0, 'models_created': 0, 'errors': []}
    for row in reader:
        if reader.line_num > MAX_ROWS + 1:
            raise ValidationFailed(_('At most {count} rows per file.').format(count=MAX_ROWS), code='too_many_rows')
        _import_row(reader.line_num, row, result)
    db.session.commit()
    return result


def _decode(raw: bytes) -> str:
    try:
        return raw.decode('utf-8-sig')
    except UnicodeDecodeError:
        raise ValidationFailed(_('The file must be UTF-8 text.'), code='invalid_csv')


def _check_header(header) -> None:
    if not header:
        raise ValidationFailed(_('The file is empty; the first row must name the columns.'), code='invalid_csv')
    names = [(name or '').strip() for name in header]
    missing = [name for name in REQUIRED if name not in names]
    unknown = [name for name in names if name not in REQUIRED + OPTIONAL]
    if missing or unknown:
        fields = {}
        if missing:
            fields['missing'] = [_('Missing column: {name}.').format(name=name) for name in missing]
        if unknown:
            fields['unknown'] = [_('Unknown column: {name}.').format(name=name) for name in unknown]
        raise ValidationFailed(_('The header row is not valid.'), code='invalid_csv', fields=fields)


def _import_row(line: int, row: dict, result: dict) -> None:
    tag = (row.get('asset_tag') or '').strip() or None
    try:
        if row.get(None):
            raise RowError({'_row': [str(_l('This row has more values than the header has columns.'))]})
        data = _validated({(k or '').strip(): (v.strip() or None) if isinstance(v, str) else None
                           for k, v in row.items() if k is not None})
        with db.session.begin_nested():
            outcome, new_model = _upsert(data)
            db.session.flush()
        result[outcome] += 1
        result['models_created'] += new_model
    except RowError as error:
        result['errors'].append({'line': line, 'asset_tag': tag, 'errors': error.fields})
    except sa.exc.IntegrityError:
        result['errors'].append({'line': line, 'asset_tag': tag, 'errors': {
            'asset_tag': [_('Changed by someone else at the same time; run the import again.')]}})


def _validated(values: dict) -> dict:
    try:
        return CsvRowSchema().load(values)
    except ValidationError as error:
        raise RowError({name: [str(m) for m in (msgs if isinstance(msgs, list) else [msgs])]
                        for name, msgs in error.messages.items()})


def _upsert(data: dict) -> tuple[str, bool]:
    site = _site(data['site'])
    model, new_model = _model(data)
    unit = db.session.scalar(sa.select(Unit).where(Unit.asset_tag == data['asset_tag']).with_for_update())
    values = {'serial': data.get('serial'), 'site_id': site.id, 'model_id': model.id, 'shelf': data.get('shelf'),
              'notes': data.get('notes')}
    if data.get('condition'):
        values['condition'] = Condition(data['condition'])
    status = UnitStatus(data['status']) if data.get('status') else None
    if unit is None:
        now = utcnow()
        db.session.add(Unit(asset_tag=data['asset_tag'], status=status or UnitStatus.available, created_at=now,
                            updated_at=now, **values))
        return 'created', new_model
    return _update(unit, values, status), new_model


def _update(unit: Unit, values: dict, status: UnitStatus | None) -> str:
    if unit.status in _IN_USE and (values['site_id'] != unit.site_id or status not in (None, UnitStatus.available)):
        raise RowError({'status': [_('Unit {tag} is in use ({status}); change it after it is returned.').format(
            tag=unit.asset_tag, status=unit.status.label)]})
    changed = {k: v for k, v in values.items() if getattr(unit, k) != v}
    for attr, value in changed.items():
        setattr(unit, attr, value)
    if status is not None and unit.status not in _IN_USE and status != unit.status:
        set_admin_status(unit, status)
        changed['status'] = status
    if not changed:
        return 'unchanged'
    unit.updated_at = utcnow()
    return 'updated'


def _site(name: str) -> Site:
    site = db.session.scalar(sa.select(Site).where(sa.func.lower(Site.name) == name.lower()))
    if site is None:
        raise RowError({'site': [_('Unknown site: {name}.').format(name=name)]})
    return site


def _model(data: dict) -> tuple[EquipmentModel, bool]:
    client = None
    if data.get('client'):
        client = db.session.scalar(sa.select(Client).filter_by(slug=data['client']))
        if client is None:
            raise RowError({'client': [_('Unknown client: {slug}.').format(slug=data['client'])]})
    model = db.session.scalar(sa.select(EquipmentModel).where(
        sa.func.lower(EquipmentModel.maker) == data['maker'].lower(),
        sa.func.lower(EquipmentModel.name) == data['model'].lower()))
    new = model is None
    if new:
        model = EquipmentModel(maker=data['maker'], name=data['model'], created_at=utcnow(), product_lines=[])
        db.session.add(model)
    if data.get('category'):
        model.category = Category(data['category'])
    elif model.category is None:
        model.category = Category.other
    if client is not None:
        model.client_id = client.id
    if data.get('product_lines'):
        model.product_lines = normalise_products(data['product_lines'].split(';'))
    if data.get('photo_url'):
        model.photo_url = data['photo_url']
    db.session.flush()
    return model, new
