package telemetry

import (
	"context"
	"crypto/rand"
	"fmt"
	"net/url"

	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/exporters/otlp/otlptrace/otlptracehttp"
	"go.opentelemetry.io/otel/sdk/resource"

	"go.opentelemetry.io/otel"
	"go.opentelemetry.io/otel/propagation"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/trace"
)

// Propagator carries W3C trace context to and from partners.
var Propagator = propagation.NewCompositeTextMapPropagator(propagation.TraceContext{}, propagation.Baggage{})

// NewTracerProvider returns a provider that sends spans to the exporters
// given (none: spans are sampled for context propagation but not exported).
func NewTracerProvider(service string, exporters ...sdktrace.SpanExporter) *sdktrace.TracerProvider {
	// Without an exporter nothing would read recorded spans: they are created
	// non-recording (trace IDs are still made and propagated), which saves
	// their cost on every message.
	sampler := sdktrace.ParentBased(sdktrace.AlwaysSample())
	if len(exporters) == 0 {
		sampler = sdktrace.NeverSample()
	}
	opts := []sdktrace.TracerProviderOption{sdktrace.WithSampler(sampler),
		sdktrace.WithResource(resource.NewSchemaless(attribute.String("service.name", service)))}
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

// NewOTLPExporter sends spans to an OpenTelemetry collector over OTLP/HTTP
// (protobuf) at endpoint, e.g. http://otel-collector:4318.
func NewOTLPExporter(ctx context.Context, endpoint string) (sdktrace.SpanExporter, error) {
	u, err := url.Parse(endpoint)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil, fmt.Errorf("%q is not an http(s) URL", endpoint)
	}
	if u.Path == "" || u.Path == "/" {
		u.Path = "/v1/traces"
	}
	return otlptracehttp.New(ctx, otlptracehttp.WithEndpointURL(u.String()))
}
