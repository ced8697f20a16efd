variable "name" {
  type = string
}

variable "environment" {
  type = string
}

variable "replicas" {
  type    = number
  default = 2
}

output "release" {
  value = "${var.name}-${var.environment}"
}
