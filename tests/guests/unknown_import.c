// unknown_import: imports env.missing, which lunatic does not provide: linking must fail
// with an error naming the import.
__attribute__((import_module("env"), import_name("missing"))) int missing(int);

int main(int argc, char** argv) {
  (void)argv;
  return missing(argc);
}
