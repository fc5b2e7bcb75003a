package exchange_test

import (
	"testing"

	"github.com/uifsagw/uifsagw/gateway/exchange/internal/exchangetest"
)

func TestMain(m *testing.M) { exchangetest.Main(m) }

// The helpers the tests share, under the names the tests were written with.
var (
	connect  = exchangetest.Connect
	count    = exchangetest.Count
	newStore = exchangetest.NewStore
	outbound = exchangetest.Outbound
	receive  = exchangetest.Receive
	testKeys = exchangetest.Keys
)
