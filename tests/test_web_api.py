"""The web workspace's JSON API (httpx through FastAPI's TestClient): networks, located
upload problems, scenarios (clone, add a tariff, edit), a study run to its results,
cancel, downloads, token and host guards, escaping."""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import re
import zipfile
from pathlib import Path

import openpyxl
import pandas as pd
import pytest
from fastapi.testclient import TestClient

from shoring.costs.explain import explain_lane
from shoring.network.io_yaml import raw_from_text
from shoring.network.validate import build_network
from shoring.scenario import load_scenario
from shoring.scenario.loader import parse_scenario
from shoring.study import Study
from shoring.web import Settings, create_app
from web_helpers import SCRIPT_NAME, mini_workbook, mini_yaml, wait_run


@pytest.fixture(scope="module")
def client(tmp_path_factory: pytest.TempPathFactory):
    data = tmp_path_factory.mktemp("web")
    with TestClient(create_app(Settings(data_dir=data))) as c:
        c.data_dir = data  # type: ignore[attr-defined]
        yield c


@pytest.fixture(scope="module")
def network_id(client: TestClient) -> str:
    r = client.post("/api/networks", files={"file": ("mini.yaml", mini_yaml(SCRIPT_NAME))})
    assert r.status_code == 201, r.text
    return r.json()["id"]


@pytest.fixture(scope="module")
def done_run(client: TestClient, network_id: str) -> dict:
    body = {"network_id": network_id, "scenarios": ["current-law", "tariffs-2025"],
            "analyses": ["costs", "simulate", "stress"], "runs": 40, "seed": 7}  # fmt: skip
    r = client.post("/api/runs", json=body)
    assert r.status_code == 202, r.text
    run = wait_run(client, r.json()["id"])
    assert run["status"] == "done", run
    return run


def test_upload_yaml_and_tables(client: TestClient, network_id: str) -> None:
    net = client.get(f"/api/networks/{network_id}").json()
    assert net["summary"]["sites"] == 2 and net["summary"]["markets"] == 1
    assert network_id in [n["id"] for n in client.get("/api/networks").json()]
    tables = client.get(f"/api/networks/{network_id}/tables").json()
    assert {s["id"] for s in tables["sites"]} == {"plant-a", "plant-b"}
    # the hostile name is data: stored and answered as written (JSON, not HTML)
    assert tables["sites"][0]["name"] == SCRIPT_NAME
    fig = client.get(f"/api/networks/{network_id}/map").json()
    assert any(t.get("type") == "scattergeo" for t in fig["data"])


def test_upload_workbook_problem_is_located(client: TestClient, tmp_path: Path) -> None:
    bad = mini_workbook(tmp_path, capacity=-5, name="bad.xlsx")
    r = client.post("/api/networks", files={"file": ("bad.xlsx", bad.read_bytes())})
    assert r.status_code == 422
    problems = r.json()["problems"]
    hit = [p for p in problems if p["field"] == "capacity_units"]
    assert hit, problems
    assert hit[0]["file"] == "bad.xlsx" and hit[0]["sheet"] == "sites" and hit[0]["row"] == 2
    good = mini_workbook(tmp_path, name="good.xlsx")
    r = client.post("/api/networks", files={"file": ("good.xlsx", good.read_bytes())})
    assert r.status_code == 201, r.text


def test_upload_problem_fixed_in_the_browser(client: TestClient, tmp_path: Path) -> None:
    """The 422 of an upload carries the offending row as read; cell edits are checked
    like an upload (a still-bad value is located again, a cell outside the table's
    schema refused) and the fixed network is stored with its edits."""
    bad = mini_workbook(tmp_path, capacity=-5, name="bad.xlsx")
    draft = client.post("/api/networks", files={"file": ("bad.xlsx", bad.read_bytes())}).json()[
        "draft"
    ]
    (row,) = draft["rows"]
    assert (row["table"], row["row"], row["values"]["id"]) == ("sites", 2, "plant-a")
    assert row["values"]["capacity_units"] == "-5"
    assert row["problems"][0]["field"] == "capacity_units"
    check = f"/api/drafts/{draft['id']}/check"
    cell = {"table": "sites", "index": row["index"], "field": "capacity_units"}
    r = client.post(check, json={"edits": [{**cell, "value": "lots"}]})
    assert r.status_code == 422 and r.json()["problems"][0]["row"] == 2
    assert "number" in r.json()["problems"][0]["message"]
    assert r.json()["draft"]["rows"][0]["values"]["capacity_units"] == "lots"
    r = client.post(check, json={"edits": [{**cell, "field": "formula", "value": "1"}]})
    assert r.status_code == 422 and "not a column of sites" in r.json()["problems"][0]["message"]
    r = client.post(check, json={"edits": [{**cell, "index": 7, "value": "1"}]})
    assert r.status_code == 422 and "no record 7" in r.json()["problems"][0]["message"]
    r = client.post(check, json={"edits": [{**cell, "value": "1200"}]})
    assert r.status_code == 201, r.text
    sites = client.get(f"/api/networks/{r.json()['id']}/tables").json()["sites"]
    assert {s["id"]: s["capacity_units"] for s in sites} == {"plant-a": 1200, "plant-b": 1000}
    assert client.post(check, json={"edits": []}).status_code == 404  # the draft is used up


def test_upload_zipped_csv_folder(client: TestClient, tmp_path: Path) -> None:
    from shoring.network import write_csv_folder

    net = build_network(raw_from_text(mini_yaml(), "mini.yaml"))
    folder = write_csv_folder(net, tmp_path / "mini")
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as z:
        for f in sorted(folder.iterdir()):
            z.write(f, f"mini/{f.name}")
    r = client.post("/api/networks", files={"file": ("mini.zip", buffer.getvalue())})
    assert r.status_code == 201, r.text
    assert r.json()["summary"]["sites"] == 2


def test_template_is_a_workbook(client: TestClient) -> None:
    r = client.get("/api/template.xlsx")
    assert r.status_code == 200
    book = openpyxl.load_workbook(io.BytesIO(r.content))
    assert {"Instructions", "products", "sites", "markets", "demand"} <= set(book.sheetnames)


def test_scenarios_clone_tariff_and_edit(client: TestClient) -> None:
    library = {s["name"]: s for s in client.get("/api/scenarios").json()}
    assert library["tariffs-2025"]["builtin"] and library["tariffs-2025"]["sources"]
    r = client.post("/api/scenarios/tariffs-2025/clone", json={"name": "hs85-60"})
    assert r.status_code == 201, r.text
    assert (
        client.post("/api/scenarios/tariffs-2025/clone", json={"name": "hs85-60"}).status_code
        == 409
    )
    body = {"id": "us-chn-85", "importers": "USA", "exporters": "CHN", "hs": "85",
            "ad_valorem": 0.6, "stacking": "add", "start": "2027-01-01"}  # fmt: skip
    r = client.post("/api/scenarios/hs85-60/tariffs", json=body)
    assert r.status_code == 200, r.text
    own = library["tariffs-2025"]["measures"]
    assert r.json()["measures"] == own + 1 and r.json()["kind"] == "custom"
    # the stored scenario charges 60% more on US imports of HS 85 from China from 2027
    edited = parse_scenario(r.json()["yaml"], "hs85-60.yaml")

    base = load_scenario("tariffs-2025")
    before = explain_lane(base, "USA", "CHN", "850760", dt.date(2027, 6, 1)).rate
    after = explain_lane(edited, "USA", "CHN", "850760", dt.date(2027, 6, 1)).rate
    assert after == pytest.approx(before + 0.60)
    # built-ins are read-only; a bad edit answers located problems
    assert client.put("/api/scenarios/tariffs-2025", json={"yaml": "x"}).status_code == 403
    broken = r.json()["yaml"].replace("ad_valorem: 0.6", "ad_valorem: lots")
    r = client.put("/api/scenarios/hs85-60", json={"yaml": broken})
    assert r.status_code == 422
    assert any(p["row"] for p in r.json()["problems"]), r.json()


def test_run_results_are_the_studys(client: TestClient, network_id: str, done_run: dict) -> None:
    rid = done_run["id"]
    # progress as it went: the run's 5 steps (read, cost, report, simulate, stress) and
    # the study's own counts within a step
    steps = [int(k) for k in re.findall(r" step (\d)/5: ", done_run["log"])]
    assert steps == sorted(steps) and set(steps) == {1, 2, 3, 4, 5}
    assert "step 2/5: landed cost (scenario-years) 4/4" in done_run["log"]
    assert done_run["done"] == done_run["total"] == 5
    # the manifest: the uploaded file's size and hash, the scenario definitions
    manifest = client.get(f"/api/runs/{rid}/json/manifest").json()
    upload = mini_yaml(SCRIPT_NAME).encode("utf-8")
    assert manifest["command"] == "serve" and manifest["run"]["id"] == rid
    (source,) = manifest["inputs"]
    assert source["path"] == "mini.yaml" and source["bytes"] == len(upload)
    assert source["sha256"] == hashlib.sha256(upload).hexdigest()
    assert [s["name"] for s in manifest["scenarios"]] == ["current-law", "tariffs-2025"]
    assert manifest["scenarios"][1]["measures"], "the definitions, not only the names"
    names = {r["name"] for r in client.get(f"/api/runs/{rid}/results").json()}
    assert {"report", "cheapest", "landed_cost", "comparison", "map", "pairs"} <= names
    table = client.get(f"/api/runs/{rid}/tables/cheapest").json()
    got = pd.DataFrame(table["rows"], columns=table["columns"])
    net = build_network(raw_from_text(mini_yaml(SCRIPT_NAME), "mini.yaml"))
    study = Study(net, [load_scenario("current-law"), load_scenario("tariffs-2025")])
    expected = study.cheapest()
    merged = got.merge(expected, on=["product", "market", "year", "scenario"])
    assert len(merged) == len(expected) == 4
    assert (merged["site_x"] == merged["site_y"]).all()
    assert merged["total_x"].to_numpy() == pytest.approx(merged["total_y"].to_numpy(), rel=1e-6)
    # downloads: report (escaped user text), workbook, CSV
    report = client.get(f"/api/runs/{rid}/report.html")
    assert report.status_code == 200 and "attachment" in report.headers["content-disposition"]
    assert "<script>alert" not in report.text and "&lt;script&gt;alert" in report.text
    book = openpyxl.load_workbook(io.BytesIO(client.get(f"/api/runs/{rid}/results.xlsx").content))
    assert {"cheapest", "landed_cost", "comparison"} <= set(book.sheetnames)
    csv = client.get(f"/api/runs/{rid}/csv/cheapest")
    assert csv.text.startswith("product,market,year,scenario,site")
    pairs = client.get(f"/api/runs/{rid}/json/pairs").json()
    assert pairs["reference"] == "current-law" and pairs["pairs"][0]["product"] == "widget"
    # both lanes explained; shown first: the cheapest lane that pays duty (Mexico's is
    # duty-free under USMCA, China's pays)
    pair = pairs["pairs"][0]
    duties = (
        study.landed_costs["cost"]
        .sel(component="duties", product="widget", market="us", year=2026, scenario="current-law")
        .to_pandas()
    )
    assert {lane["site"]: lane["duties"] for lane in pair["lanes"]} == pytest.approx(
        duties.to_dict()
    )
    assert duties["plant-a"] == 0 and duties["plant-b"] > 0
    shown = next(lane for lane in pair["lanes"] if lane["explain"] == pair["explain"])
    assert shown["site"] == "plant-b"
    explained = client.get(f"/api/runs/{rid}/json/{pair['explain']}").json()
    assert {e["scenario"] for e in explained} == {"current-law", "tariffs-2025"}
    assert all(e["importer"] == "USA" and e["exporter"] == "CHN" for e in explained)
    assert all(e["rate"] > 0 for e in explained)


def test_domestic_lane_has_no_origin_rule() -> None:
    """A lane inside one country crosses no border: no duty, and its origin is neither
    met nor missed (it was "USMCA rule NOT MET" for a US plant serving the US)."""
    yaml_text = mini_yaml().replace("country: CHN", "country: USA")
    study = Study(build_network(raw_from_text(yaml_text, "m.yaml")), [load_scenario("current-law")])
    (item,) = study.explain_lane("widget", "plant-b", "us", years=[2026])
    assert (item["exporter"], item["importer"], item["rate"]) == ("USA", "USA", 0.0)
    assert item["origin_rule_met"] is None and item["origin"]["met"] is None
    (line,) = item["origin"]["explanation"]
    assert "domestic lane" in line and "NOT MET" not in line


def test_bad_run_requests(client: TestClient, network_id: str) -> None:
    r = client.post("/api/runs", json={"network_id": network_id, "scenarios": ["nope"]})
    assert r.status_code == 422 and "nope" in r.json()["detail"]
    r = client.post("/api/runs", json={"network_id": "missing", "scenarios": ["current-law"]})
    assert r.status_code == 404
    r = client.post(
        "/api/runs", json={"network_id": network_id, "scenarios": ["current-law"], "years": [1990]}
    )
    assert r.status_code == 422 and "1990" in r.json()["detail"]
    assert client.get("/api/runs/missing/results").status_code == 404


def test_cancel(client: TestClient, network_id: str) -> None:
    r = client.post(
        "/api/runs", json={"network_id": network_id, "scenarios": ["current-law", "soft-change"]}
    )
    rid = r.json()["id"]
    assert client.post(f"/api/runs/{rid}/cancel").status_code == 200
    run = wait_run(client, rid)
    assert run["status"] == "cancelled" and "cancelled" in run["log"]
    assert client.get(f"/api/runs/{rid}/results").status_code == 409
    assert client.post(f"/api/runs/{rid}/cancel").status_code == 409


def test_pages_escape_and_stay_local(client: TestClient, network_id: str) -> None:
    for path in ("/", f"/networks/{network_id}", "/scenarios", "/scenarios/current-law"):
        r = client.get(path)
        assert r.status_code == 200
        assert "http://" not in r.text and "https://" not in r.text  # every asset local
        assert "default-src 'self'" in r.headers["content-security-policy"]
    r = client.get("/networks/%3Cscript%3Ex")
    assert "<script>x" not in r.text and "&lt;script&gt;x" in r.text
    assert client.get("/vendor/plotly.min.js").status_code == 200
    assert client.get("/docs").status_code == 404  # FastAPI's docs page loads a CDN
    assert client.get("/openapi.json").json()["info"]["title"] == "shoring"


def test_token_host_and_size_guards(tmp_path: Path) -> None:
    token = "s3cret-token-0123456789"
    settings = Settings(data_dir=tmp_path, token=token, allowed_hosts=("testserver",),
                        max_upload_bytes=2048)  # fmt: skip
    with TestClient(create_app(settings)) as c:
        assert c.get("/api/networks").status_code == 401
        assert c.get("/api/networks", headers={"Authorization": "Bearer wrong"}).status_code == 401
        auth = {"Authorization": f"Bearer {token}"}
        assert c.get("/api/networks", headers=auth).status_code == 200
        assert c.get("/", headers=auth).status_code == 200
        assert c.get("/").status_code == 401
        assert c.post("/login", data={"token": token}, follow_redirects=False).status_code == 303
        assert c.get("/api/networks").status_code == 200  # the login cookie
        big = b"x" * 4096
        r = c.post("/api/networks", files={"file": ("big.yaml", big)})
        assert r.status_code == 413 and "MiB" in r.json()["detail"]
        other = c.get("/api/networks", headers={"Host": "evil.example"})
        assert other.status_code == 421
        cross = c.post("/api/runs", json={}, headers={"Origin": "http://evil.example"})
        assert cross.status_code == 403
    assert list(tmp_path.glob("tmp/*")) == []  # nothing left behind


def test_serve_refuses_open_host_without_token(cli) -> None:
    code, _, err = cli("serve", "--host", "0.0.0.0")
    assert code == 2 and "--token" in err


def test_resilience_results_are_the_simulations(client: TestClient, done_run: dict) -> None:
    from shoring.simulate import load_hazards, sim_network, simulate
    from shoring.stress import stress_test

    rid = done_run["id"]
    net = build_network(raw_from_text(mini_yaml(SCRIPT_NAME), "mini.yaml"))
    model = load_hazards()
    sim = sim_network(net, model)
    summary = client.get(f"/api/runs/{rid}/json/simulation_summary").json()
    expected = simulate(sim, model, 40, 7).summary()  # same seed: the same draws
    assert summary["runs"] == 40 and summary["seed"] == 7
    assert summary["expected_total_loss"] == pytest.approx(expected["expected_total_loss"])
    assert summary["cvar"] == pytest.approx(expected["cvar"])
    ranking = client.get(f"/api/runs/{rid}/tables/risk_ranking").json()
    rows = [dict(zip(ranking["columns"], r, strict=True)) for r in ranking["rows"]]
    direct = stress_test(sim, model)
    assert [r["node"] for r in rows] == [r["node"] for r in direct]
    assert [r["rei"] for r in rows] == pytest.approx([r["rei"] for r in direct])
    fig = client.get(f"/api/runs/{rid}/figures/risk-ranking").json()
    assert fig["data"][0]["type"] == "bar"
