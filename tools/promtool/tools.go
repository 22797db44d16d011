//go:build tools

// Wrapper module that pins promtool for PrometheusRuleIT, which checks and unit-tests the chart's
// alerting rules: release binaries cannot be downloaded on these machines, the Go module proxy can
// be reached. Built by tools/build-promtool.sh.
package tools

import _ "github.com/prometheus/prometheus/cmd/promtool"
