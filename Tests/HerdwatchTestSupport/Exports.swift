// Tests that import the support library get the child-server helper, the executable locator and the seeded
// generator with it, which the benchmark executable shares.
@_exported public import Harness
