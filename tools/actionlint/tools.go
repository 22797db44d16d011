//go:build tools

// Wrapper module that pins actionlint for ReleaseWorkflowIT, which lints .github/workflows:
// release binaries cannot be downloaded on these machines, the Go module proxy can be reached.
// Built by tools/build-actionlint.sh.
package tools

import _ "github.com/rhysd/actionlint/cmd/actionlint"
