package staffview

// The pictures above the queue (volume and refusals per partner per day,
// the oldest waiting item per status) and the order of an export.

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/uifsagw/uifsagw/gateway/exchange"
	"github.com/uifsagw/uifsagw/gateway/review/stafftext"
)

// DirWords is a direction as the export says it.
func DirWords(d exchange.Direction) string {
	if d == exchange.DirIn {
		return "received"
	}
	return "sent"
}

// StatusText is a status in words ("needs review").
func StatusText(s exchange.Status) string {
	b := []byte(s)
	for i := range b {
		if b[i] == '_' {
			b[i] = ' '
		}
	}
	return string(b)
}

// SortMessages orders an export as the sorted page was.
func SortMessages(ms []exchange.Message, col string, asc bool) {
	key := func(m exchange.Message) string {
		switch col {
		case "partner":
			return m.Partner
		case "status":
			return string(m.Status)
		case "transaction":
			return m.Function + " " + m.Action
		case "case":
			return m.SenderCaseID
		case "created":
			return m.CreatedAt.UTC().Format(time.RFC3339Nano)
		}
		return fmt.Sprintf("%020d", m.ID)
	}
	slices.SortStableFunc(ms, func(a, b exchange.Message) int {
		if c := strings.Compare(key(a), key(b)); c != 0 {
			if !asc {
				c = -c
			}
			return c
		}
		// Ties as the store orders them: newest first when ascending.
		if asc {
			return cmp.Compare(b.ID, a.ID)
		}
		return cmp.Compare(a.ID, b.ID)
	})
}

// chartDays is how many days the queue's pictures cover.
const chartDays = 7

// partnerChart is one partner's row of the volume picture.
type partnerChart struct {
	Partner  string
	Name     string
	Messages int64
	Refusals int64
	Bars     []chartBar
}

type chartBar struct {
	X, Y, H       int // SVG units; the picture is 7 bars of 14 units in a 40-high box
	RY, RH        int // the refusals bar
	Day           string
	Msgs, Refused int64
}

// Pictures are the queue's pictures: volume per partner per day and the
// oldest message waiting in each status.
type Pictures struct {
	Days     []string
	Partners []partnerChart
	Oldest   []oldestView
}

type oldestView struct {
	exchange.Waiting
	Age string
}

// waitingStatuses are the statuses in which a message waits for someone.
var waitingStatuses = []exchange.Status{exchange.StatusNeedsReview, exchange.StatusDeadLetter, exchange.StatusReceived,
	exchange.StatusQueued, exchange.StatusAwaitingPickup, exchange.StatusRefused}

// picturesTTL is how long the queue's pictures are reused: they count a
// week of messages, which on a busy gateway costs more than the page itself.
const picturesTTL = 15 * time.Second

// PictureCache keeps the last pictures for picturesTTL (they hold counts,
// no personal data, and are the same for every person).
type PictureCache struct {
	mu sync.Mutex
	at time.Time
	p  Pictures
}

// Get returns the pictures as of now, made again when the kept ones are
// older than picturesTTL.
func (c *PictureCache) Get(ctx context.Context, st Store, now time.Time) (Pictures, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if !c.at.IsZero() && now.Sub(c.at) < picturesTTL && now.After(c.at) {
		return c.p, nil
	}
	p, err := computePictures(ctx, st, now)
	if err != nil {
		return p, err
	}
	c.at, c.p = now, p
	return p, nil
}

func computePictures(ctx context.Context, st Store, now time.Time) (Pictures, error) {
	now = now.UTC()
	today := time.Date(now.Year(), now.Month(), now.Day(), 0, 0, 0, 0, time.UTC)
	from := today.AddDate(0, 0, -(chartDays - 1))
	counts, err := st.DailyVolume(ctx, from)
	if err != nil {
		return Pictures{}, err
	}
	var p Pictures
	for i := range chartDays {
		p.Days = append(p.Days, from.AddDate(0, 0, i).Format("Jan 2"))
	}
	byPartner := map[string]*partnerChart{}
	var order []string
	perDay := map[string][chartDays][2]int64{}
	var peak int64 = 1
	for _, c := range counts {
		i := int(c.Day.Sub(from).Hours() / 24)
		if i < 0 || i >= chartDays {
			continue
		}
		pc, ok := byPartner[c.Partner]
		if !ok {
			pc = &partnerChart{Partner: c.Partner, Name: stafftext.StateName(c.Partner)}
			byPartner[c.Partner] = pc
			order = append(order, c.Partner)
		}
		pc.Messages += c.Messages
		pc.Refusals += c.Refusals
		d := perDay[c.Partner]
		d[i][0] += c.Messages
		d[i][1] += c.Refusals
		perDay[c.Partner] = d
		peak = max(peak, d[i][0]+d[i][1])
	}
	slices.SortFunc(order, func(a, b string) int {
		if x, y := byPartner[a].Messages+byPartner[a].Refusals, byPartner[b].Messages+byPartner[b].Refusals; x != y {
			if x > y {
				return -1
			}
			return 1
		}
		if a < b {
			return -1
		}
		return 1
	})
	if len(order) > 12 {
		order = order[:12]
	}
	for _, name := range order {
		pc := byPartner[name]
		d := perDay[name]
		for i := range chartDays {
			mh := int(d[i][0] * 40 / peak)
			rh := int(d[i][1] * 40 / peak)
			if d[i][0] > 0 && mh == 0 {
				mh = 1
			}
			if d[i][1] > 0 && rh == 0 {
				rh = 1
			}
			pc.Bars = append(pc.Bars, chartBar{X: i * 14, Y: 40 - mh - rh, H: mh, RY: 40 - rh, RH: rh,
				Day: p.Days[i], Msgs: d[i][0], Refused: d[i][1]})
		}
		p.Partners = append(p.Partners, *pc)
	}
	ws, err := st.OldestWaiting(ctx, waitingStatuses)
	if err != nil {
		return Pictures{}, err
	}
	for _, w := range ws {
		p.Oldest = append(p.Oldest, oldestView{Waiting: w, Age: age(now.Sub(w.CreatedAt))})
	}
	return p, nil
}

// age says how long in the largest sensible unit: "3 days", "5 hours".
func age(d time.Duration) string {
	switch {
	case d >= 48*time.Hour:
		return fmt.Sprintf("%d days", int(d.Hours()/24))
	case d >= 2*time.Hour:
		return fmt.Sprintf("%d hours", int(d.Hours()))
	case d >= 2*time.Minute:
		return fmt.Sprintf("%d minutes", int(d.Minutes()))
	}
	return "moments"
}
