terraform {
  required_version = ">= 1.5"
}

module "service" {
  source = "git::https://github.com/acme/platform-engineering.git//terraform/modules/service?ref=v1.4.0"

  name        = "payments-api"
  environment = var.environment
  replicas    = 3
}

variable "environment" {
  type = string
}
