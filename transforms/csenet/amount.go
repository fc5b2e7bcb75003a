package csenet

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/uifsagw/uifsagw/schemas/canonical"
)

// How a 12-column CSENet amount holds money: this is the one place that
// decides it.
//
// The layout (IGD v8.0 Appendix C, schemas/csenet/layout.csv) types every
// amount "numeric", and the guide's numeric fields are digits only,
// right-justified and zero-filled. We read the amount as cents with two
// implied decimal places and no sign: "000000045000" is $450.00. The data
// dictionary's own wording on amounts (Appendix A) could not be read in any
// stored copy, so the implied decimals are the common convention of
// fixed-width money fields, not a quotation; a partner that writes whole
// dollars would be read a hundred times too small, which the per-transaction
// edits and a caseworker's review are there to catch.
//
// A negative amount (an overpaid arrears total) has no form in digits-only
// columns: the encoder refuses it, naming the field, rather than send a
// number the receiving state would read as a debt.
const amountDecimals = 2

// decodeAmount reads the digits of an amount field; "" is zero.
func decodeAmount(digits string) canonical.Cents {
	if digits == "" {
		return 0
	}
	// The engine has checked the field holds digits only, and twelve digits
	// fit an int64.
	n, _ := strconv.ParseInt(digits, 10, 64)
	return canonical.Cents(n)
}

// encodeAmount writes c as the digits of a width-column amount field.
func encodeAmount(c canonical.Cents, width int) (string, error) {
	if c < 0 {
		return "", fmt.Errorf("%s is negative: CSENet amount fields hold unsigned digits (cents, %d implied decimals), so a credit balance cannot be sent", c.Dollars(), amountDecimals)
	}
	s := strconv.FormatInt(int64(c), 10)
	if len(s) > width {
		return "", fmt.Errorf("%s does not fit in %d digits", c.Dollars(), width)
	}
	return strings.Repeat("0", width-len(s)) + s, nil
}
