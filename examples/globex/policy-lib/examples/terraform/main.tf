# A sample for the README: how a consumer would call a module.
module "sample" {
  source = "git::https://github.com/globex/ci-library.git//modules/sample"
}
