// Package telemetry holds the gateway's OpenTelemetry metrics and traces, the
// Prometheus export of the metrics, and structured logging that never carries
// an SSN or a date of birth.
//
// Attributes and labels are restricted to partner IDs, codes and outcomes:
// nothing taken from a message body is ever used as a label.
package telemetry

import (
	"context"
	"net/http"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"
	"go.opentelemetry.io/otel/attribute"
	otelprom "go.opentelemetry.io/otel/exporters/prometheus"
	"go.opentelemetry.io/otel/metric"
	sdkmetric "go.opentelemetry.io/otel/sdk/metric"
)

// Metrics holds every instrument the gateway records.
type Metrics struct {
	provider *sdkmetric.MeterProvider
	registry *prometheus.Registry
	meter    metric.Meter

	Received       metric.Int64Counter
	Refused        metric.Int64Counter
	Sent           metric.Int64Counter
	Retries        metric.Int64Counter
	DeadLetters    metric.Int64Counter
	HandshakeFails metric.Int64Counter
	IntakeSeconds  metric.Float64Histogram
	DeliverSeconds metric.Float64Histogram
	Retention      metric.Int64Counter
	Reveals        metric.Int64Counter
}

// Latency buckets in seconds, fine at the low end where intake lives.
var latencyBuckets = []float64{0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10}

// NewMetrics builds the meter provider with a Prometheus reader on its own registry.
func NewMetrics() (*Metrics, error) {
	reg := prometheus.NewRegistry()
	exp, err := otelprom.New(otelprom.WithRegisterer(reg), otelprom.WithoutScopeInfo())
	if err != nil {
		return nil, err
	}
	provider := sdkmetric.NewMeterProvider(sdkmetric.WithReader(exp),
		sdkmetric.WithView(sdkmetric.NewView(sdkmetric.Instrument{Kind: sdkmetric.InstrumentKindHistogram},
			sdkmetric.Stream{Aggregation: sdkmetric.AggregationExplicitBucketHistogram{Boundaries: latencyBuckets}})))
	m := &Metrics{provider: provider, registry: reg, meter: provider.Meter("uifsagw")}
	mt := m.meter
	var errs []error
	counter := func(name, desc string) metric.Int64Counter {
		c, err := mt.Int64Counter(name, metric.WithDescription(desc))
		errs = append(errs, err)
		return c
	}
	m.Received = counter("uifsagw.messages.received", "Messages accepted from partners, by partner, function and outcome (new or repeat).")
	m.Refused = counter("uifsagw.messages.refused", "Partner requests refused, by partner and error code.")
	m.Sent = counter("uifsagw.messages.sent", "Outbound deliveries, by partner, function and outcome.")
	m.Retries = counter("uifsagw.delivery.retries", "Outbound delivery attempts that will be retried, by partner.")
	m.DeadLetters = counter("uifsagw.delivery.dead_letters", "Outbound messages given up on and sent to review, by partner.")
	m.HandshakeFails = counter("uifsagw.tls.handshake_failures", "TLS handshakes that failed on the partner listener.")
	m.Retention = counter("uifsagw.retention.purged", "Rows purged or bodies erased by the retention job, by kind.")
	m.Reveals = counter("uifsagw.pii.reveals", "PII reveals by staff, by role.")
	h := func(name, desc string) metric.Float64Histogram {
		x, err := mt.Float64Histogram(name, metric.WithDescription(desc), metric.WithUnit("s"))
		errs = append(errs, err)
		return x
	}
	m.IntakeSeconds = h("uifsagw.intake.duration", "Time from request to durable receipt, by partner and outcome.")
	m.DeliverSeconds = h("uifsagw.delivery.duration", "Time of one outbound delivery attempt, by partner and outcome.")
	for _, err := range errs {
		if err != nil {
			return nil, err
		}
	}
	return m, nil
}

// Meter returns the meter for callers registering their own observable gauges.
func (m *Metrics) Meter() metric.Meter { return m.meter }

// Registry returns the Prometheus registry (for extra collectors).
func (m *Metrics) Registry() *prometheus.Registry { return m.registry }

// Handler serves /metrics in the Prometheus text format.
func (m *Metrics) Handler() http.Handler {
	return promhttp.HandlerFor(m.registry, promhttp.HandlerOpts{})
}

// Shutdown flushes and stops the provider.
func (m *Metrics) Shutdown(ctx context.Context) error { return m.provider.Shutdown(ctx) }

// Attrs builds an attribute option from key/value string pairs.
func Attrs(kv ...string) metric.MeasurementOption {
	attrs := make([]attribute.KeyValue, 0, len(kv)/2)
	for i := 0; i+1 < len(kv); i += 2 {
		attrs = append(attrs, attribute.String(kv[i], kv[i+1]))
	}
	return metric.WithAttributes(attrs...)
}
