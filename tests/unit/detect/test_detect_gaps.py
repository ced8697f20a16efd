"""Ansible, Azure Policy and Flux shapes that detection used to miss, and their traps."""

from __future__ import annotations

import json

import pytest

from collectors.detect.iac import MAX_MODULE_SOURCE_READS


def _tools(scan, kind: str, contents: dict[str, str]) -> list[str]:
    return scan(contents).signals[kind]["tools"]


# --- Ansible ---------------------------------------------------------------------------------


TASKS = "- name: x\n  debug: {}\n"


@pytest.mark.parametrize(
    ("path", "content"),
    [
        ("roles/web/tasks/install.yml", TASKS),  # a role file other than tasks/main.yml
        ("roles/web/handlers/main.yml", TASKS),
        ("roles/web/defaults/main.yaml", "http_port: 80\n"),
        ("roles/web/meta/main.yml", "galaxy_info: {author: platform}\n"),
        ("ansible/roles/infra/nginx/tasks/main.yml", TASKS),  # roles nested in a group folder
    ],
)
def test_ansible_role_files(scan, path: str, content: str):
    assert _tools(scan, "iac.usage", {path: content}) == ["ansible"]


def test_folders_named_like_role_parts_outside_roles_are_not_ansible(scan):
    contents = {"app/tasks/cleanup.yml": "a: 1\n", "roles/tasks.yml": "a: 1\n", "meta/main.yml": "a: 1\n"}
    assert not scan(contents).signals["iac.usage"]["present"]


def test_galaxy_yml_of_a_collection(scan):
    galaxy = "namespace: acme\nname: platform\nversion: 1.0.0\nauthors: [team]\n"
    assert _tools(scan, "iac.usage", {"galaxy.yml": galaxy}) == ["ansible"]
    assert not scan({"galaxy.yml": "title: a galaxy of stars\n"}).signals["iac.usage"]["present"]


def test_named_import_playbook(scan):
    site = "- name: web tier\n  import_playbook: web.yml\n- name: db tier\n  ansible.builtin.import_playbook: db.yml\n"
    assert _tools(scan, "iac.usage", {"site.yml": site}) == ["ansible"]


def test_a_mapping_that_mentions_import_playbook_is_no_playbook(scan):
    assert not scan({"notes.yml": "docs:\n  import_playbook: how we import\n"}).signals["iac.usage"]["present"]


# --- Azure Policy ----------------------------------------------------------------------------

INITIATIVE = {
    "properties": {
        "displayName": "Baseline",
        "policyType": "Custom",
        "policyDefinitions": [{"policyDefinitionId": "/providers/Microsoft.Authorization/policyDefinitions/abc"}],
    }
}
ROLE_DEFINITION = {
    "$schema": "https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#",
    "resources": [
        {
            "type": "Microsoft.Authorization/roleDefinitions",
            "properties": {"permissions": [{"actions": ["Microsoft.Authorization/policyDefinitions/read"]}]},
        }
    ],
}


def test_policy_set_definition_json_is_azure_policy(scan):
    assert _tools(scan, "policy.as_code", {"policies/baseline.json": json.dumps(INITIATIVE)}) == ["azure_policy"]


def test_set_definitions_deployed_by_bicep_arm_or_terraform(scan):
    contents = {
        "gov/initiative.bicep": "resource set 'Microsoft.Authorization/policySetDefinitions@2021-06-01' = {\n  name: 'x'\n}\n",
        "gov/arm.json": json.dumps(
            {
                "$schema": "https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#",
                "resources": [{"type": "Microsoft.Authorization/policySetDefinitions", "name": "x"}],
            }
        ),
        "gov/main.tf": 'resource "azurerm_management_group_policy_set_definition" "x" {\n}\n',
    }
    assert scan(contents).signals["policy.as_code"]["paths"] == ["gov/arm.json", "gov/initiative.bicep", "gov/main.tf"]


def test_a_role_permission_naming_policy_definitions_is_not_policy(scan):
    bicep = "resource role 'Microsoft.Authorization/roleDefinitions@2022-04-01' = {\n  properties: {\n    permissions: [\n      {\n        actions: [\n          'Microsoft.Authorization/policyDefinitions/*'\n        ]\n      }\n    ]\n  }\n}\n"
    contents = {"iam/role.json": json.dumps(ROLE_DEFINITION), "iam/role.bicep": bicep}
    assert not scan(contents).signals["policy.as_code"]["present"]


def test_the_read_cap_does_not_hide_a_bicep_file_that_declares_policy(scan):
    contents = {f"modules/m{n:03}.bicep": "param x string\n" for n in range(MAX_MODULE_SOURCE_READS + 10)}
    contents["platform/policies/zz/deny.bicep"] = (
        "resource d 'Microsoft.Authorization/policyDefinitions@2021-06-01' = {\n  name: 'deny'\n}\n"
    )
    assert _tools(scan, "policy.as_code", contents) == ["azure_policy"]


# --- Flux ----------------------------------------------------------------------------------


def test_flux_source_extensions_objects(scan):
    generator = "apiVersion: source.extensions.fluxcd.io/v1beta1\nkind: ArtifactGenerator\nmetadata:\n  name: x\n"
    assert _tools(scan, "gitops.controllers", {"clusters/prod/gen.yaml": generator}) == ["flux"]


def test_a_look_alike_fluxcd_group_is_not_flux(scan):
    fake = "apiVersion: fluxcd.io.example.com/v1\nkind: Thing\n"
    assert not scan({"k8s/x.yaml": fake}).signals["gitops.controllers"]["present"]
