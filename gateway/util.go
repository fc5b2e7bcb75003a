package gateway

import (
	"encoding/json"

	"go.opentelemetry.io/otel/attribute"
)

func attrOwner(v string) attribute.KeyValue { return attribute.String("owner", v) }
func attrState(v string) attribute.KeyValue { return attribute.String("state", v) }

func jsonMarshal(v any) ([]byte, error) { return json.Marshal(v) }
