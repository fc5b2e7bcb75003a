package telemetry

import (
	"go.opentelemetry.io/otel"
	"go.opentelemetry.io/otel/propagation"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/trace"
)

// Propagator carries W3C trace context to and from partners.
var Propagator = propagation.NewCompositeTextMapPropagator(propagation.TraceContext{}, propagation.Baggage{})

// NewTracerProvider returns a provider that sends spans to the exporters
// given (none: spans are sampled for context propagation but not exported).
func NewTracerProvider(exporters ...sdktrace.SpanExporter) *sdktrace.TracerProvider {
	opts := []sdktrace.TracerProviderOption{sdktrace.WithSampler(sdktrace.ParentBased(sdktrace.AlwaysSample()))}
	for _, e := range exporters {
		opts = append(opts, sdktrace.WithBatcher(e))
	}
	tp := sdktrace.NewTracerProvider(opts...)
	otel.SetTextMapPropagator(Propagator)
	return tp
}

// Tracer returns the gateway's tracer from a provider.
func Tracer(tp trace.TracerProvider) trace.Tracer { return tp.Tracer("github.com/uifsagw/uifsagw") }
