// Package deploy holds the production deployment artifacts of the gateway
// (example configuration, systemd unit, Kubernetes manifests, Grafana
// dashboard, Prometheus alert rules) and the test that keeps them consistent
// with the code: every option of gateway.Config appears in the example, and
// every metric the dashboard and alerts query is listed in metrics.txt, which
// the gateway's own tests check against what it exports.
package deploy
