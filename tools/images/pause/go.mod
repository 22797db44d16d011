// The pod sandbox ("pause") image of the test node: registry.k8s.io/pause cannot be pulled here.
module pgconn.io/tools/images/pause

go 1.22
