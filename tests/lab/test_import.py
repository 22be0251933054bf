"""CSV import: bad rows reported by line, good rows load, a re-run duplicates nothing."""
import io

GOOD_AND_BAD = (
    'asset_tag,serial,maker,model,category,site,shelf,condition,status,client,product_lines\n'
    'IMP-001,S1,Technicolor,TC4400,modem,Polanco,B1,good,available,northwind,modem;internet\n'
    'IMP-002,S2,Technicolor,TC4400,modem,Atlantis,B1,good,,,\n'
    'IMP-003,S3,Apple,iPhone 15,phone,polanco,C2,scratched,,,\n'
    ',S4,Apple,iPhone 15,phone,Polanco,,,,,\n'
    'IMP-005,S5,Apple,iPhone 15,phone,Polanco,C3,fair,maintenance,nobody,phone\n'
    'IMP-006,S6,Apple,iPhone 15,phone,Tijuana,D1,new,,,phone\n'
    'IMP-007,S7,Apple\n'
    'IMP-008,S8,Apple,iPhone 15,phone,Polanco,,,,,,extra\n'
)


def _import(lab, text, who=None, content_type='text/csv'):
    return lab.http.post('/api/v1/lab/import', data=text.encode(), content_type=content_type,
                         headers=(who or lab.admin).headers)


def test_bad_rows_by_line_good_rows_load(lab):
    response = _import(lab, GOOD_AND_BAD)
    assert response.status_code == 200, response.get_json()
    result = response.get_json()
    assert (result['created'], result['updated'], result['models_created']) == (2, 0, 2)
    errors = {e['line']: e for e in result['errors']}
    assert sorted(errors) == [3, 4, 5, 6, 8, 9]
    assert 'site' in errors[3]['errors'] and 'Atlantis' in errors[3]['errors']['site'][0]
    assert 'condition' in errors[4]['errors']
    assert 'asset_tag' in errors[5]['errors']
    assert 'client' in errors[6]['errors'] and errors[6]['asset_tag'] == 'IMP-005'
    assert {'model', 'site'} <= set(errors[8]['errors'])
    assert '_row' in errors[9]['errors']
    units = lab.get(lab.ana, '/units?q=IMP').get_json()
    assert [(u['asset_tag'], u['status']) for u in units] == [('IMP-001', 'available'), ('IMP-006', 'available')]
    tc = next(m for m in lab.get(lab.ana, '/models').get_json() if m['name'] == 'TC4400')
    assert tc['client'] == 'northwind' and tc['product_lines'] == ['modem', 'internet']


def test_rerun_duplicates_nothing_and_updates_in_place(lab):
    _import(lab, GOOD_AND_BAD)
    again = _import(lab, GOOD_AND_BAD).get_json()
    assert (again['created'], again['updated'], again['unchanged'], again['models_created']) == (0, 0, 2, 0)
    assert len(lab.get(lab.ana, '/units?q=IMP').get_json()) == 2
    changed = _import(lab, 'asset_tag,maker,model,site,shelf\nIMP-001,Technicolor,TC4400,Polanco,Z9\n').get_json()
    assert changed['updated'] == 1
    assert lab.get(lab.ana, '/units?asset_tag=imp-001').get_json()[0]['shelf'] == 'Z9'


def test_unit_in_use_keeps_its_status(lab):
    lab.checkout(lab.ana, lab.units[0])
    text = ('asset_tag,maker,model,site,status\n'
            'POL-001,Arris,SB8200,Polanco,retired\nPOL-002,Arris,SB8200,Polanco,retired\n')
    result = _import(lab, text).get_json()
    assert [e['line'] for e in result['errors']] == [2] and result['updated'] == 1
    assert lab.unit(lab.units[0])['status'] == 'checked_out'
    assert lab.unit(lab.units[1])['status'] == 'retired'


def test_header_and_file_errors(lab):
    missing = _import(lab, 'asset_tag,maker\nX,Y\n')
    assert missing.status_code == 422 and 'missing' in missing.get_json()['error']['fields']
    unknown = _import(lab, 'asset_tag,maker,model,site,colour\n')
    assert unknown.status_code == 422 and 'unknown' in unknown.get_json()['error']['fields']
    assert _import(lab, '').status_code == 422
    latin1 = lab.http.post('/api/v1/lab/import', content_type='text/csv', headers=lab.admin.headers,
                           data='asset_tag,maker,model,site\nA,Caf\xe9,B,Polanco\n'.encode('latin-1'))
    assert latin1.status_code == 422
    assert _import(lab, GOOD_AND_BAD, content_type='application/xml').status_code == 415


def test_multipart_upload_and_admin_only(lab):
    data = {'file': (io.BytesIO(b'asset_tag,maker,model,site\nUP-1,Arris,SB8200,Polanco\n'), 'units.csv')}
    response = lab.http.post('/api/v1/lab/import', data=data, content_type='multipart/form-data',
                             headers=lab.admin.headers)
    assert response.status_code == 200 and response.get_json()['created'] == 1
    assert _import(lab, GOOD_AND_BAD, who=lab.supervisor).status_code == 403
