"""Infrastructure as code: tools and shared module references."""

from __future__ import annotations

import json
from textwrap import dedent

from collectors.detect.iac import MAX_MODULE_SOURCE_READS

MAIN_TF = dedent(
    """\
    terraform {
      required_providers {
        azurerm = {
          source = "hashicorp/azurerm"
        }
      }
    }

    module "network" {
      source  = "git::https://oauth2:glpat-secret@gitlab.example.com/platform/network.git?ref=v1.2.0"
    }

    module "vpc" {
      source  = "terraform-aws-modules/vpc/aws"
      version = "5.0.0"
    }

    module "local" {
      source = "./modules/local"
    }
    """
)


def test_terraform_remote_module_sources_are_module_refs_without_credentials(scan):
    iac = scan({"infra/main.tf": MAIN_TF}).signals["iac.usage"]
    assert iac["tools"] == ["terraform"]
    assert iac["module_refs"] == [
        "git::https://gitlab.example.com/platform/network.git?ref=v1.2.0",
        "terraform-aws-modules/vpc/aws",
    ]


def test_provider_sources_and_local_modules_are_not_module_refs(scan):
    text = 'terraform {\n  required_providers {\n    aws = { source = "hashicorp/aws" }\n  }\n}\nmodule "a" {\n  source = "../shared"\n}\n'
    iac = scan({"main.tf": text}).signals["iac.usage"]
    assert iac["present"] and iac["module_refs"] == []


def test_terraform_json_and_terragrunt_module_sources(scan):
    tf_json = json.dumps({"module": {"dns": {"source": "app.terraform.io/acme/dns/azurerm"}}})
    terragrunt = 'terraform {\n  source = "git::git@github.com:acme/modules.git//vpc?ref=v2"\n}\ninputs = {}\n'
    iac = scan({"dns.tf.json": tf_json, "live/prod/terragrunt.hcl": terragrunt}).signals["iac.usage"]
    assert iac["tools"] == ["terraform"]
    assert iac["module_refs"] == [
        "app.terraform.io/acme/dns/azurerm",
        "git::git@github.com:acme/modules.git//vpc?ref=v2",
    ]


def test_terraform_reads_are_capped_and_start_with_the_likeliest_files(scan):
    contents = {f"modules/m{i:03}/resources.tf": 'resource "null_resource" "x" {}\n' for i in range(120)}
    contents["main.tf"] = 'module "a" {\n  source = "acme/a/azurerm"\n}\n'
    detection = scan(contents)
    assert detection.files_read == MAX_MODULE_SOURCE_READS
    assert scan.reads[0] == "main.tf"
    assert detection.signals["iac.usage"]["module_refs"] == ["acme/a/azurerm"]
    assert len(detection.signals["iac.usage"]["paths"]) == 20  # MAX_PATHS


def test_bicep_registry_and_template_spec_modules(scan):
    bicep = "module net 'br/public:avm/res/network/vnet:0.1.0' = {}\nmodule spec 'ts:sub/rg/spec:1.0' = {}\nmodule local './local.bicep' = {}\n"
    iac = scan({"main.bicep": bicep, "main.bicepparam": "using './main.bicep'\n"}).signals["iac.usage"]
    assert iac["tools"] == ["bicep"]
    assert iac["module_refs"] == ["br/public:avm/res/network/vnet:0.1.0", "ts:sub/rg/spec:1.0"]


def test_arm_template_by_schema_and_not_other_json(scan):
    arm = {
        "$schema": "https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#",
        "resources": [],
    }
    sub = {"$schema": "https://schema.management.azure.com/schemas/2018-05-01/subscriptionDeploymentTemplate.json#"}
    detection = scan(
        {
            "arm/azuredeploy.json": json.dumps(arm),
            "arm/sub.json": json.dumps(sub),
            "data/deploy.json": json.dumps({"deploymentTemplate": "no", "schema": 1}),
        }
    )
    assert detection.signals["iac.usage"]["tools"] == ["arm"]
    assert detection.signals["iac.usage"]["paths"] == ["arm/azuredeploy.json", "arm/sub.json"]


def test_cloudformation_yaml_with_intrinsic_tags_and_json(scan):
    cfn_yaml = "AWSTemplateFormatVersion: '2010-09-09'\nResources:\n  Bucket:\n    Type: AWS::S3::Bucket\n    Properties:\n      BucketName: !Sub '${AWS::StackName}-b'\n"
    sam = "Transform: AWS::Serverless-2016-10-31\nResources:\n  Fn:\n    Type: AWS::Serverless::Function\n"
    cfn_json = json.dumps({"Resources": {"Q": {"Type": "AWS::SQS::Queue"}}})
    detection = scan({"stack.yaml": cfn_yaml, "sam/template.yml": sam, "q.json": cfn_json})
    assert detection.signals["iac.usage"]["paths"] == ["q.json", "sam/template.yml", "stack.yaml"]
    assert detection.problems == []


def test_yaml_with_resources_but_no_aws_types_is_not_cloudformation(scan):
    assert not scan({"app.yaml": "Resources:\n  cpu: 2\n"}).signals["iac.usage"]["present"]


def test_helm_chart_dependencies_from_repositories_are_module_refs(scan):
    chart = dedent(
        """\
        apiVersion: v2
        name: web
        version: 1.0.0
        dependencies:
          - name: postgresql
            version: 12.1.0
            repository: https://charts.bitnami.com/bitnami
          - name: common
            version: 2.0.0
            repository: oci://registry.example.com/charts/
          - name: local
            version: 0.1.0
            repository: file://../local
        """
    )
    iac = scan({"charts/web/Chart.yaml": chart}).signals["iac.usage"]
    assert iac["tools"] == ["helm"]
    assert iac["module_refs"] == [
        "https://charts.bitnami.com/bitnami/postgresql@12.1.0",
        "oci://registry.example.com/charts/common@2.0.0",
    ]


def test_kustomize_remote_resources_are_module_refs(scan):
    kustomization = (
        "resources:\n  - ../base\n  - github.com/acme/platform//deploy/base?ref=v1\n  - https://example.com/crds.yaml\n"
    )
    iac = scan({"overlays/prod/kustomization.yaml": kustomization}).signals["iac.usage"]
    assert iac["tools"] == ["kustomize"]
    assert iac["module_refs"] == ["github.com/acme/platform//deploy/base?ref=v1", "https://example.com/crds.yaml"]


def test_pulumi_crossplane_and_ansible(scan):
    composition = "apiVersion: apiextensions.crossplane.io/v1\nkind: Composition\nmetadata:\n  name: db\n"
    playbook = "# site playbook\n---\n- name: web servers\n  hosts: web\n  become: true\n  tasks:\n    - name: ping\n      ansible.builtin.ping:\n"
    detection = scan(
        {
            "Pulumi.yaml": "name: app\nruntime: python\n",
            "platform/composition.yaml": composition,
            "playbooks/site.yml": playbook,
            "roles/web/tasks/main.yml": "- name: x\n  debug: {}\n",
        }
    )
    iac = detection.signals["iac.usage"]
    assert iac["tools"] == ["ansible", "crossplane", "pulumi"]
    assert "roles/web/tasks/main.yml" in iac["paths"] and "playbooks/site.yml" in iac["paths"]


def test_ansible_inventory_is_not_a_playbook(scan):
    inventory = "all:\n  hosts:\n    web1:\n      ansible_host: 10.0.0.1\n"
    assert not scan({"inventory/hosts.yml": inventory}).signals["iac.usage"]["present"]


XRD = dedent(
    """\
    apiVersion: apiextensions.crossplane.io/v1
    kind: CompositeResourceDefinition
    metadata:
      name: xpostgresinstances.db.acme.io
    spec:
      group: db.acme.io
      names: {kind: XPostgresInstance, plural: xpostgresinstances}
      claimNames: {kind: PostgresInstance, plural: postgresinstances}
    """
)
COMPOSITION = dedent(
    """\
    apiVersion: apiextensions.crossplane.io/v1
    kind: Composition
    metadata:
      name: xpostgresinstances.azure.db.acme.io
    spec:
      compositeTypeRef: {apiVersion: db.acme.io/v1alpha1, kind: XPostgresInstance}
      mode: Pipeline
      pipeline: []
    """
)


def test_a_crossplane_xrd_with_its_composition_is_a_self_service_abstraction(scan):
    detection = scan({"apis/postgres/definition.yaml": XRD, "apis/postgres/azure.yaml": COMPOSITION})
    assert detection.signals["iac.usage"]["self_service"] == ["crossplane"]


def test_an_xrd_alone_or_a_composition_of_another_type_is_not(scan):
    alone = scan({"apis/postgres/definition.yaml": XRD})
    assert alone.signals["iac.usage"]["tools"] == ["crossplane"] and alone.signals["iac.usage"]["self_service"] == []
    other = COMPOSITION.replace("XPostgresInstance", "XBucket")
    mismatched = scan({"apis/postgres/definition.yaml": XRD, "apis/bucket/azure.yaml": other})
    assert mismatched.signals["iac.usage"]["self_service"] == []
    # an XRD header without its group and kind names no API
    header = "apiVersion: apiextensions.crossplane.io/v1\nkind: CompositeResourceDefinition\nmetadata:\n  name: x\n"
    assert scan({"xrd.yaml": header, "c.yaml": COMPOSITION}).signals["iac.usage"]["self_service"] == []


def test_a_pair_in_test_fixtures_offers_nothing(scan):
    detection = scan({"tests/fixtures/definition.yaml": XRD, "tests/fixtures/azure.yaml": COMPOSITION})
    assert detection.signals["iac.usage"]["self_service"] == []
