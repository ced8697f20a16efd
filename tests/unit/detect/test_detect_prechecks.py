"""Cheap tests before costly patterns must never rule out a file the pattern would take.

Each rewritten search is checked against the pattern it replaced (written out here as the
oracle) on the traps of issue 13 and on texts built to sit at the edges: templated files,
UTF-16 text as the reader decodes it, binary junk, `echo checkov`, CRLF line ends, a match on
the first line or on none, and characters that re.I folds to ASCII letters.
"""

from __future__ import annotations

import re

import pytest

from collectors.detect import ci, deploys, iac, scanners
from collectors.detect.classify import IGNORED_FOLDERS, Plan, classify, is_ignored
from collectors.detect.findings import Findings
from collectors.detect.manifests import manifest_heads
from collectors.detect.observability import deploys_workbook
from collectors.detect.parse import may_hold_any_case
from collectors.detect.policy import declares_policy

# The patterns as they were: `^` under re.M over the whole text.
OLD_HEAD = re.compile(r"^(?:---|apiVersion:[ \t]*[\"']?([^\s\"'#]*)|kind:[ \t]*[\"']?([^\s\"'#]*))", re.M)
OLD_TF_CONTENT = re.compile(
    r"^(?:(?:resource|data|module)\b[^\n{]*\{"
    r"|(?:provider|terraform|variable|output|locals|import|moved|removed|check)\b[^\n{]*\{\s*[^\s}])",
    re.M,
)
OLD_TERRAGRUNT_CONTENT = re.compile(
    r"^(?:terraform|include|inputs|dependency|dependencies|locals|remote_state|generate)\b[^\n{=]*[{=]\s*[^\s}]", re.M
)
OLD_POLICY = re.compile(
    r"""microsoft\.authorization/policy(?:set)?definitions["'@]
    |\bazurerm_(?:management_group_|subscription_)?policy_(?:set_)?definition\b""",
    re.I | re.X,
)
OLD_WORKBOOK = re.compile(r"microsoft\.insights/workbooks|\bazurerm_application_insights_workbook\b", re.I)


def _old_heads(text: str) -> list[tuple[str, str]]:
    heads: list[tuple[str, str]] = []
    api_version = kind = ""
    for match in OLD_HEAD.finditer(text):
        if match.group(1) is not None:
            api_version = match.group(1)
        elif match.group(2) is not None:
            kind = match.group(2)
        else:
            if kind:
                heads.append((api_version, kind))
            api_version = kind = ""
    if kind:
        heads.append((api_version, kind))
    return heads


TRAPS = [
    "",
    "\n",
    "---",
    "apiVersion: v1\nkind: ConfigMap",  # no final newline
    "kind: Role\napiVersion: rbac.authorization.k8s.io/v1\n---\nkind: ClusterRole\n---\n---\n",
    "---\napiVersion: argoproj.io/v1alpha1\r\nkind: Application\r\n---\r\nkind: AppProject\r\n",  # CRLF
    "  apiVersion: v1\n  kind: Indented\n",  # not at column 0
    'apiVersion: "kyverno.io/v1"\nkind: \'ClusterPolicy\' # comment\n',
    "{{- if .Values.rbac }}\napiVersion: rbac.authorization.k8s.io/v1\nkind: {{ .Values.kind }}\n{{- end }}\n",
    "{% for r in roles %}\n---\napiVersion: rbac.authorization.k8s.io/v1\nkind: Role\n{% endfor %}\n",
    "\ufeffapiVersion: v1\nkind: Secret\n",  # what is left when a BOM is not removed
    "\x00\x01\ufffd\ufffdapiVersion: junk\nkind:\x00\n\ufffd",  # binary junk decoded with replacement
    "jobs:\n  scan:\n    steps:\n      - run: echo checkov -d .\n",
    "stages:\n- stage: deploy\n  jobs:\n  - job: x\n    steps:\n    - script: terraform apply\n",
    "x: 1\nsteps:\n- task: TerraformCLI@0\n",
    "# comment\n" * 50 + 'resource "azurerm_policy_definition" "p" {\n  name = "x"\n}\n',
    'variable "x" {}\nterraform {}\nmodule "net" {\n  source = "git::https://x/y.git"\n}\n',
    'locals {\n  a = 1\n}\n',
    "provider \"azurerm\" {\n  features {}\n}\n",
    "include {\n  path = find_in_parent_folders()\n}\ninputs = {\n  a = 1\n}\n",
    "terraform {\n  source = \"../modules//net\"\n}\n",
    "resource 'Microsoft.Authorization/policyDefinitions@2021-06-01' = {}\n",
    "type: \"MICROSOFT.AUTHORIZATION/POLICYSETDEFINITIONS\"\n",
    "\"type\": \"Microsoft.Authorization/policyDefinitions/read\"\n",  # a permission, not a definition
    "resource \"AZURERM_SUBSCRIPTION_POLICY_DEFINITION\" \"d\" {}\n",
    "resource \"azurerm_application_insights_workbook\" \"w\" {}\n",
    "'Microsoft.Insights/workbooks@2022-04-01'\n",
    "MICROſOFT.Authorization/policyDefinitions'\n",  # ſ: re.I folds it to s
    "microsoft.insights/wor\u212abooks\n",  # the Kelvin sign: re.I folds it to k
    "xazurerm_policy_definition\n",  # no word boundary
]


@pytest.mark.parametrize("text", TRAPS)
def test_manifest_heads_match_the_column_zero_pattern(text: str) -> None:
    assert manifest_heads(text) == _old_heads(text)


@pytest.mark.parametrize("text", TRAPS)
def test_terraform_content_matches_the_column_zero_patterns(text: str) -> None:
    assert bool(iac._TF_CONTENT.search("\n" + text)) == bool(OLD_TF_CONTENT.search(text))
    assert bool(iac._TERRAGRUNT_CONTENT.search("\n" + text)) == bool(OLD_TERRAGRUNT_CONTENT.search(text))


@pytest.mark.parametrize("text", TRAPS)
def test_azure_resource_prechecks_keep_what_the_patterns_take(text: str) -> None:
    assert declares_policy(text) == bool(OLD_POLICY.search(text))
    assert deploys_workbook(text) == bool(OLD_WORKBOOK.search(text))


def test_folded_characters_still_match() -> None:
    assert declares_policy("MICROſOFT.Authorization/policyDefinitions'\n")
    assert deploys_workbook("microsoft.insights/wor\u212abooks\n")
    assert not may_hold_any_case("resource \"aws_s3_bucket\" \"b\" {}\n", ("azurerm_",))


@pytest.mark.parametrize("text", TRAPS)
def test_azure_pipeline_words_come_before_the_pattern(text: str) -> None:
    if ci._AZURE_TOP.search(text):
        assert ci._azure_words(text)


def test_terraform_module_sources_still_found_past_comments(scan):
    text = "# comment\n" * 30 + 'module "net" {\n  source = "git::https://git.example/acme/net.git?ref=v1"\n}\n'
    detection = scan({"infra/main.tf": text})
    assert detection.signals["iac.usage"]["tools"] == ["terraform"]
    assert detection.signals["iac.usage"]["module_refs"] == ["git::https://git.example/acme/net.git?ref=v1"]


@pytest.mark.parametrize("folder", sorted(IGNORED_FOLDERS))
def test_every_ignored_folder_passes_the_substring_tests(folder: str) -> None:
    assert is_ignored(f"{folder}/main.tf") and is_ignored(f"a/{folder}/b/main.tf")
    assert not is_ignored(f"a/{folder}x/main.tf") and not is_ignored(f"a/x{folder}/main.tf")


def test_nested_github_folders_are_ignored_and_near_misses_are_not() -> None:
    assert is_ignored("sub/.github/workflows/ci.yml") and not is_ignored(".github/workflows/ci.yml")
    assert not is_ignored("vendors.yaml") and not is_ignored("my.gitignore.d/x.yaml")
    assert is_ignored("templates/{{cookiecutter.name}}/main.tf")


@pytest.mark.parametrize(
    "folder", ["roles/web/tasks", "a/roles/b/c/handlers", "roles/tasks", "xroles/web/tasks", "roles", "roles/web/files"]
)
def test_ansible_role_folders_need_roles_and_a_slash(folder: str) -> None:
    plan = Plan()
    classify(f"{folder}/main.yml", None, plan, Findings())
    parts = folder.split("/")
    expected = len(parts) >= 3 and parts[-1] in {"tasks", "handlers", "defaults", "vars", "meta"} and "roles" in parts[:-2]
    assert [entry.check for entry in plan.named] == (["ansible_role"] if expected else [])


# One line for every alternative of each deployment pattern: the pattern takes it, and so must
# the substring test that goes first.
ALTERNATIVES = {
    "_APPLIES": [
        "terraform apply", "tofu -chdir=infra apply", "terragrunt run-all apply", "az deployment group create",
        "az stack sub create", "New-AzResourceGroupDeployment", "New-AzDeployment", "helm upgrade --install x",
        "helm install x", "helmfile apply", "helmfile sync", "pulumi up", "kubectl apply -f .", "bicep deploy",
        "aws cloudformation deploy", "aws cloudformation create-stack", "aws cloudformation update-stack",
        "cdk deploy", "sam deploy", "task: AzureResourceManagerTemplateDeployment@3",
        "task: AzureResourceGroupDeployment@2", "task: HelmDeploy@0", "uses: azure/arm-deploy@v1",
        "uses: aws-actions/aws-cloudformation-github-deploy@v1",
    ],
    "_APPLY_COMMAND": ["command: apply", "  command: 'up'"],
    "_DEPLOYS": [
        "kubectl set image deploy/x", "kubectl rollout restart deploy/x", "kubectl create ns x",
        "gcloud run deploy", "gcloud app deploy", "gcloud functions deploy", "firebase deploy", "vercel deploy",
        "netlify deploy", "flyctl deploy", "fly deploy", "serverless deploy", "sls deploy", "eb deploy",
        "azd deploy", "azd up", "cf push", "az webapp up", "az functionapp deployment source config-zip create",
        "az containerapp update", "az staticwebapp create", "az spring app deploy",
        "uses: acme/deploy-action@v1", "uses: 'x/y/deploy-it@v2'", "task: AzureWebApp@1",
        "task: AzureFunctionApp@2", "task: AzureRmWebAppDeployment@4", "task: KubernetesManifest@1",
        "task: Kubernetes@1", "task: AzureContainerApps@1",
    ],
    "_PUBLISHES": [
        "uses: actions/deploy-pages@v4", "uses: actions/upload-pages-artifact@v3",
        "uses: peaceiris/actions-gh-pages@v3", "uses: JamesIves/github-pages-deploy-action@v4", "git push gh-pages",
        "mkdocs gh-deploy --force", "ghp-import -n", "uses: pypa/gh-action-pypi-publish@release/v1",
        "twine upload dist/*", "npm publish", "yarn publish", "pnpm publish", "poetry publish", "cargo publish",
        "flit publish", "hatch publish", "uv publish", "gem push x.gem", "nuget push x.nupkg", "mvn -B deploy",
        "./mvnw deploy", "gradle publish", "./gradlew publishToMavenCentral", "docker push x", "goreleaser release",
        "uses: softprops/action-gh-release@v2", "helm push chart.tgz oci://x", "uses: helm/chart-releaser-action@v1",
    ],
    "_LOCAL_CLUSTER": [
        "kind create cluster", "k3d cluster create", "minikube start", "ctlptl create cluster kind",
        "uses: helm/kind-action@v1", "uses: engineerd/setup-kind@v0.5", "uses: AbsaOSS/k3d-action@v2",
        "uses: nolar/setup-k3d-k3s@v1", "uses: medyagh/setup-minikube@v0", "uses: manusa/actions-setup-minikube@v2",
    ],
}


@pytest.mark.parametrize(("name", "line"), [(name, line) for name, lines in ALTERNATIVES.items() for line in lines])
def test_deployment_words_hold_every_alternative(name: str, line: str) -> None:
    words = getattr(deploys, name)
    assert words.pattern.search(line), "the example must exercise the pattern"
    assert words.search(line) and words.search(f"run: echo start\n{line}\nrun: echo done")


@pytest.mark.parametrize("text", TRAPS + [line for lines in ALTERNATIVES.values() for line in lines])
def test_deployment_words_change_no_search(text: str) -> None:
    for name in ALTERNATIVES:
        words = getattr(deploys, name)
        assert words.search(text) == bool(words.pattern.search(text))


SCANNER_NAMES = [
    "checkov", "tfsec", "trivy", "kics", "conftest", "codeql", "semgrep", "snyksecurityscan", "snyk",
    "sonar-scanner", "sonarqube-scan", "sonarcloud", "sonarsource", "mvn sonar:sonar", "gitleaks", "trufflehog",
    "grype", "anchore/scan-action", "terrascan", "kyverno apply", "kyverno test", "kyverno/action-install-cli",
    "kyverno-cli", "sast-iac", "container-scanning", "secret-detection",
]


@pytest.mark.parametrize("name", SCANNER_NAMES)
def test_scanner_words_hold_every_name(name: str) -> None:
    assert scanners._NAMED.pattern.search(name), "the example must exercise the pattern"
    assert scanners._NAMED.search(f"run: make\n{name} x\n")


@pytest.mark.parametrize("text", TRAPS + SCANNER_NAMES)
def test_scanner_words_change_no_search(text: str) -> None:
    lowered = text.lower()
    assert scanners._NAMED.search(lowered) == bool(scanners._NAMES.search(lowered))
