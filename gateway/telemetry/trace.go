package telemetry

import (
	"context"
	"crypto/rand"

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
	// Without an exporter nothing would read recorded spans: they are created
	// non-recording (trace IDs are still made and propagated), which saves
	// their cost on every message.
	sampler := sdktrace.ParentBased(sdktrace.AlwaysSample())
	if len(exporters) == 0 {
		sampler = sdktrace.NeverSample()
	}
	opts := []sdktrace.TracerProviderOption{sdktrace.WithSampler(sampler)}
	for _, e := range exporters {
		opts = append(opts, sdktrace.WithBatcher(e))
	}
	tp := sdktrace.NewTracerProvider(opts...)
	otel.SetTextMapPropagator(Propagator)
	return tp
}

// Tracer returns the gateway's tracer from a provider.
func Tracer(tp trace.TracerProvider) trace.Tracer { return tp.Tracer("github.com/uifsagw/uifsagw") }

// ContextWithTraceID continues the trace a message was received under (its
// stored trace ID) in later work on it — processing, delivery — so one
// message's spans share one trace across workers and restarts.
func ContextWithTraceID(ctx context.Context, traceID string) context.Context {
	tid, err := trace.TraceIDFromHex(traceID)
	if err != nil || !tid.IsValid() {
		return ctx
	}
	var sid trace.SpanID
	_, _ = rand.Read(sid[:])
	sc := trace.NewSpanContext(trace.SpanContextConfig{TraceID: tid, SpanID: sid, TraceFlags: trace.FlagsSampled, Remote: true})
	return trace.ContextWithRemoteSpanContext(ctx, sc)
}

// TraceIDOf returns the trace ID of the span in ctx, or "".
func TraceIDOf(ctx context.Context) string {
	sc := trace.SpanContextFromContext(ctx)
	if !sc.IsValid() {
		return ""
	}
	return sc.TraceID().String()
}
