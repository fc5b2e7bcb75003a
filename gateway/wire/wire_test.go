package wire

import (
	"encoding/json"
	"reflect"
	"testing"
)

// The names are what partners already parse: a renamed tag breaks them.
func TestInboxPageJSONShape(t *testing.T) {
	t.Parallel()
	page := InboxPage{Next: 7, Messages: []InboxItem{{ID: "m-1", Cursor: 7, MessageID: "m-1",
		Format: "json/2", ContentType: "application/json", Body: "{}", Signature: "a..b"}}}
	got, err := json.Marshal(page)
	if err != nil {
		t.Fatal(err)
	}
	want := `{"messages":[{"id":"m-1","cursor":7,"messageId":"m-1","format":"json/2",` +
		`"contentType":"application/json","body":"{}","signature":"a..b"}],"next":7}`
	if string(got) != want {
		t.Fatalf("wire shape changed:\n got %s\nwant %s", got, want)
	}
	var back InboxPage
	if err := json.Unmarshal(got, &back); err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(back, page) {
		t.Fatalf("round trip: got %+v, want %+v", back, page)
	}
}
