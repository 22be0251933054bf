"""Admins manage models and units; everyone searches (an exact asset tag comes first)."""


def test_only_admins_manage_the_catalog(lab):
    body = {'maker': 'Cisco', 'name': 'DPC3848'}
    assert lab.post(lab.supervisor, '/models', body).status_code == 403
    assert lab.post(lab.ana, '/units', {'asset_tag': 'X-1', 'model_id': lab.model['id'],
                                        'site_id': lab.site_id}).status_code == 403
    assert lab.http.patch(f'/api/v1/lab/units/{lab.units[0]["id"]}', json={'shelf': 'Z'},
                          headers=lab.ana.headers).status_code == 403
    assert lab.post(lab.admin, '/models', body).status_code == 201


def test_model_and_unit_validation(lab):
    duplicate = lab.post(lab.admin, '/models', {'maker': 'Arris', 'name': 'SB8200'})
    assert duplicate.status_code == 409 and duplicate.get_json()['error']['code'] == 'duplicate_model'
    bad = lab.post(lab.admin, '/models', {'maker': '', 'name': 'x', 'category': 'toaster', 'client': 'nobody',
                                          'photo_url': 'ftp://x'})
    assert bad.status_code == 422 and {'maker', 'category', 'photo_url'} <= set(bad.get_json()['error']['fields'])
    unknown_client = lab.post(lab.admin, '/models', {'maker': 'A', 'name': 'B', 'client': 'nobody'})
    assert unknown_client.status_code == 422 and 'client' in unknown_client.get_json()['error']['fields']
    tag = lab.post(lab.admin, '/units', {'asset_tag': 'POL-001', 'model_id': lab.model['id'], 'site_id': lab.site_id})
    assert tag.status_code == 409 and tag.get_json()['error']['code'] == 'duplicate_asset_tag'
    for body, field in (({'asset_tag': 'bad tag!', 'model_id': lab.model['id'], 'site_id': lab.site_id}, 'asset_tag'),
                        ({'asset_tag': 'OK-1', 'model_id': 999, 'site_id': lab.site_id}, None),
                        ({'asset_tag': 'OK-1', 'model_id': lab.model['id'], 'site_id': 999}, 'site_id'),
                        ({'asset_tag': 'OK-1', 'model_id': lab.model['id'], 'site_id': lab.site_id,
                          'status': 'checked_out'}, 'status')):
        response = lab.post(lab.admin, '/units', body)
        assert response.status_code in (404, 422), body
        if field:
            assert field in response.get_json()['error']['fields']


def test_status_changes_by_admin(lab):
    unit_url = f'/api/v1/lab/units/{lab.units[0]["id"]}'
    assert lab.http.patch(unit_url, json={'status': 'checked_out'}, headers=lab.admin.headers).status_code == 422
    assert lab.http.patch(unit_url, json={}, headers=lab.admin.headers).status_code == 422
    lab.checkout(lab.ana, lab.units[0])
    out = lab.http.patch(unit_url, json={'status': 'retired'}, headers=lab.admin.headers)
    assert out.status_code == 409
    moved = lab.http.patch(unit_url, json={'site_id': lab.far_site_id}, headers=lab.admin.headers)
    assert moved.status_code == 409
    assert lab.http.patch(unit_url, json={'shelf': 'Top'}, headers=lab.admin.headers).status_code == 200
    lab.checkin(lab.ana, lab.units[0])
    retired = lab.http.patch(unit_url, json={'status': 'retired'}, headers=lab.admin.headers)
    assert retired.status_code == 200 and retired.get_json()['status'] == 'retired'
    assert lab.checkout(lab.ana, lab.units[0]).status_code == 409


def test_search_filters_and_exact_asset_tag_first(lab, make):
    make.client(slug='contoso')
    router = lab.post(lab.admin, '/models', {'maker': 'Netgear', 'name': 'R7000', 'category': 'router',
                                             'client': 'contoso', 'product_lines': ['router']}).get_json()
    lab.add_unit('POL-0011', model=router, serial='NET-1')
    lab.add_unit('TIJ-001', site_id=lab.far_site_id)

    def tags(query):
        response = lab.get(lab.ana, f'/units?{query}')
        assert response.status_code == 200, response.get_json()
        return [u['asset_tag'] for u in response.get_json()]
    assert tags('q=pol-0011')[0] == 'POL-0011'
    assert tags('q=POL-001') == ['POL-001', 'POL-0011']       # the scanned tag first, then partial matches
    assert tags('q=SN-A2') == ['POL-002']
    assert tags('serial=net-1') == ['POL-0011']
    assert tags('product=router') == ['POL-0011']
    assert tags('product=modem') == ['POL-001', 'POL-002', 'TIJ-001']
    assert tags('client=contoso') == ['POL-0011']
    assert tags(f'site_id={lab.far_site_id}') == ['TIJ-001']
    assert tags('model=netgear') == ['POL-0011']
    assert tags('category=router') == ['POL-0011']
    lab.checkout(lab.ana, lab.units[1])
    assert tags('status=checked_out') == ['POL-002']
    assert tags('status=available&status=checked_out&limit=2') == ['POL-001', 'POL-0011']
    assert tags('q=100%25_x') == []
    assert lab.get(lab.ana, '/units?status=lost').status_code == 422
    assert lab.get(lab.ana, '/units?limit=0').status_code == 422


def test_unit_detail_and_missing(lab):
    assert lab.get(lab.ana, '/units/999').status_code == 404
    detail = lab.unit(lab.units[0])
    assert detail['model']['name'] == 'SB8200' and detail['shelf'] == 'A1' and detail['status_label'] == 'Available'
