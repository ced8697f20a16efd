module "vpc" {
  source  = "terraform-aws-modules/vpc/aws"
  version = "5.1.0"
}
