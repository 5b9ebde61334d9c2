from tests.conftest import login

def test_render(shared):
    app, org = shared
    client = app.test_client()
    assert login(client, org.email("admin")).status_code == 302
    for url in ["/reports", "/reports?breakdown=unit", "/reports/drilldown?status=overdue", "/reports/hours?fy=2569", f"/reports/learners/{org.uuid('a1')}", "/reports/me", "/reports/overview.csv", "/reports/drilldown.xlsx", "/reports/hours.csv?fy=2569", "/reports?fy=abc", "/reports/drilldown.csv?unit=NOPE"]:
        r = client.get(url)
        print(url, r.status_code, r.headers.get("Content-Type"), len(r.data))
        if r.status_code >= 400 or url == "/reports?breakdown=unit":
            print(r.get_data(as_text=True)[:3000] if 'html' in r.headers.get("Content-Type") else r.data[:300])
