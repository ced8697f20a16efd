# A public registry module: infrastructure as code, but no shared module of the organization.
module "vpc" {
  source  = "terraform-aws-modules/vpc/aws"
  version = "5.8.1"
  name    = "billing"
}
