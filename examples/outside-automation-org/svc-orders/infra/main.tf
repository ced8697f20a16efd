terraform {
  cloud {
    organization = "acme"
    workspaces { name = "svc-orders" }
  }
}

module "service" {
  source  = "app.terraform.io/acme/service/aws"
  version = "1.2.0"
  name    = "orders"
}
