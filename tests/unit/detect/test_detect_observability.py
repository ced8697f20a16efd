"""Dashboards, alerting rules and SLO definitions."""

from __future__ import annotations

import json
from textwrap import dedent

DASHBOARD = {"title": "API", "schemaVersion": 39, "panels": [{"type": "graph", "title": "rps"}]}


def test_grafana_dashboard_json_bare_and_wrapped(scan):
    detection = scan(
        {
            "dashboards/api.json": json.dumps(DASHBOARD),
            "dashboards/wrapped.json": json.dumps({"dashboard": DASHBOARD, "overwrite": True}),
        }
    )
    dashboards = detection.signals["observability.dashboards"]
    assert dashboards["tools"] == ["grafana"] and len(dashboards["paths"]) == 2


def test_package_json_and_other_json_are_not_dashboards(scan):
    detection = scan(
        {
            "package.json": json.dumps({"name": "x", "panels": []}),
            "src/fixtures/ui.json": json.dumps({"panels": "left,right"}),
            "src/i18n/en.json": json.dumps({"hello": "world"}),
        }
    )
    assert not detection.signals["observability.dashboards"]["present"]
    assert scan.reads == ["src/fixtures/ui.json", "src/i18n/en.json"]  # package.json is never read


def test_grafana_operator_and_azure_workbooks(scan):
    detection = scan(
        {
            "k8s/dash.yaml": "apiVersion: grafana.integreatly.org/v1beta1\nkind: GrafanaDashboard\n",
            "monitor/app.workbook": json.dumps({"version": "Notebook/1.0", "items": [{"type": 1}]}),
            "monitor/book.json": json.dumps({"version": "Notebook/1.0", "items": [{"type": 1}]}),
            "infra/workbook.bicep": "resource wb 'Microsoft.Insights/workbooks@2022-04-01' = {}\n",
        }
    )
    dashboards = detection.signals["observability.dashboards"]
    assert dashboards["tools"] == ["azure_workbook", "grafana_operator"]
    assert len(dashboards["paths"]) == 4


RULES = dedent(
    """\
    groups:
      - name: api
        rules:
          - alert: HighErrorRate
            expr: rate(errors[5m]) > 1
          - record: slo:sli_error:ratio_rate5m
            expr: sum(rate(errors[5m])) / sum(rate(requests[5m]))
    """
)


def test_prometheus_rule_file_with_slo_recording_rules(scan):
    detection = scan({"monitoring/rules.yml": RULES})
    assert detection.signals["observability.alerting"]["tools"] == ["prometheus_rules"]
    assert detection.signals["observability.slo"]["tools"] == ["slo_recording_rules"]


def test_recording_rules_without_slo_prefix_are_not_slos(scan):
    text = "groups:\n  - name: a\n    rules:\n      - record: job:requests:rate5m\n        expr: x\n"
    detection = scan({"rules.yaml": text})
    assert detection.signals["observability.alerting"]["present"]
    assert not detection.signals["observability.slo"]["present"]


def test_prometheus_operator_resources(scan):
    rule_cr = "apiVersion: monitoring.coreos.com/v1\nkind: PrometheusRule\nspec:\n  groups:\n    - name: slo\n      rules:\n        - record: slo:availability\n          expr: x\n"
    monitor = "apiVersion: monitoring.coreos.com/v1\nkind: ServiceMonitor\n---\napiVersion: monitoring.coreos.com/v1\nkind: PodMonitor\n"
    detection = scan({"k8s/rules.yaml": rule_cr, "k8s/monitors.yaml": monitor})
    assert detection.signals["observability.alerting"]["tools"] == ["prometheus_rules", "service_monitor"]
    assert detection.signals["observability.slo"]["tools"] == ["slo_recording_rules"]


def test_groups_key_in_other_yaml_is_not_a_rule_file(scan):
    text = "groups:\n  - name: admins\n    members: [alice]\n"
    assert not scan({"config/groups.yaml": text}).signals["observability.alerting"]["present"]


def test_openslo_and_sloth_definitions(scan):
    detection = scan(
        {
            "slo/openslo.yaml": "apiVersion: openslo/v1\nkind: SLO\nmetadata:\n  name: api\n",
            "slo/sloth.yaml": "version: prometheus/v1\nservice: api\nslos:\n  - name: availability\n",
            "slo/cr.yaml": "apiVersion: sloth.slok.dev/v1\nkind: PrometheusServiceLevel\n",
        }
    )
    slo = detection.signals["observability.slo"]
    assert slo["tools"] == ["openslo", "sloth"] and len(slo["paths"]) == 3
