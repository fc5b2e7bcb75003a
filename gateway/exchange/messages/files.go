package messages

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"runtime"
	"strconv"
	"sync"
	"time"

	"github.com/jackc/pgx/v5"
)

// InboundFile is a file of many transactions from one partner, every
// transaction already checked by intake.
type InboundFile struct {
	Partner string
	// FileID is the partner's identifier of the file (the JWS jti):
	// posting the same file ID again is a repeat.
	FileID string
	// Raw is the whole file as signed; only its digest is kept, each
	// transaction's own bytes are stored with its message.
	Raw []byte
	// Items are the transactions to store, in file order. Each needs a
	// message ID (idempotency is per partner and message ID, as for single
	// messages) and its own Raw bytes.
	Items      []Inbound
	ReceivedAt time.Time
}

// FileOutcome is what became of one item of an InboundFile.
type FileOutcome struct {
	MessageID string
	// ReceiptID identifies the transaction's receipt: new, or the one issued
	// when it was first stored (Repeat).
	ReceiptID string
	Repeat    bool
	// Conflict is set when the message ID was stored before with other bytes;
	// the item is then refused and nothing of it is stored.
	Conflict bool
}

// FileReceipt is the stored receipt of a file.
type FileReceipt struct {
	ID           string
	Partner      string
	FileID       string
	BodySHA256   string
	Transactions int
	ReceivedAt   time.Time
	// Document is the receipt's payload exactly as signed; JWS signs it.
	Document []byte
	JWS      string
}

// FileSigner builds and signs the receipt of a file from the outcome of each
// item (in item order); it returns the document and its JWS.
type FileSigner func(r FileReceipt, outcomes []FileOutcome) (document []byte, jws string, err error)

// fileChunk bounds the rows of one multi-row statement: large enough that a
// 10,000-transaction file takes a handful of statements, small enough that
// one statement's parameters stay a few megabytes.
const fileChunk = 2000

// ReceiveFile stores every item of a file and the file's signed receipt in
// one transaction: either all of it commits, or nothing does and the caller
// may post again. Items are stored as messages exactly as Receive stores
// one (status received, history, sealed SSNs, matching keys, an issued
// receipt), with multi-row statements instead of one round trip each.
//
// It is idempotent twice over: a file ID seen before from the partner
// returns the stored receipt and repeat=true (ErrConflict if the bytes
// differ), and an item whose message ID was stored before (by an earlier
// file or a single post) is a repeat with its first receipt, or a conflict
// if its bytes differ. Each item stored gets its own receipt signed by
// signItem, as Receive gives one; sign is called once, for a file this call
// stores, with the outcome of every item.
func (s *Store) ReceiveFile(ctx context.Context, f InboundFile, signItem func(Receipt) (string, error), sign FileSigner) (FileReceipt, bool, error) {
	if f.Partner == "" || f.FileID == "" || len(f.Raw) == 0 || sign == nil || signItem == nil {
		return FileReceipt{}, false, fmt.Errorf("%w: partner, file id, body and signer are required", ErrInvalid)
	}
	sum := sha256.Sum256(f.Raw)
	at := f.ReceivedAt
	if at.IsZero() {
		at = time.Now()
	}
	at = at.UTC().Truncate(time.Microsecond)
	if r, err := s.storedFileReceipt(ctx, s.pool, f.Partner, f.FileID, sum[:]); err == nil || !errors.Is(err, ErrNotFound) {
		return r, err == nil, err
	}

	msgs := make([]newMessage, len(f.Items))
	preps := make([]prepared, len(f.Items))
	for i, in := range f.Items {
		if in.MessageID == "" || len(in.Raw) == 0 {
			return FileReceipt{}, false, fmt.Errorf("%w: item %d has no message id or body", ErrInvalid, i)
		}
		msgs[i] = newMessage{dir: DirIn, partner: f.Partner, msgID: in.MessageID, format: in.Format, contentType: in.ContentType,
			tx: in.Tx, raw: in.Raw, status: StatusReceived, inReplyTo: in.Tx.Header.InReplyTo,
			traceID: in.TraceID, signature: in.Signature, createdAt: at}
	}
	// Masking, marshalling and sealing are CPU work: spread it over the
	// cores before taking a connection.
	if err := parallel(len(msgs), func(i int) (err error) { preps[i], err = s.prepare(msgs[i]); return err }); err != nil {
		return FileReceipt{}, false, err
	}

	var out FileReceipt
	repeat := false
	err := s.tx(ctx, func(tx pgx.Tx) error {
		// One file at a time per (partner, file id): a concurrent re-post
		// waits here and then finds the receipt.
		if _, err := tx.Exec(ctx, `SELECT pg_advisory_xact_lock(hashtextextended($1, 0))`, "file|"+f.Partner+"|"+f.FileID); err != nil {
			return fmt.Errorf("exchange: lock file: %w", err)
		}
		r, err := s.storedFileReceipt(ctx, tx, f.Partner, f.FileID, sum[:])
		if err == nil || !errors.Is(err, ErrNotFound) {
			out, repeat = r, err == nil
			return err
		}
		out, err = s.storeFile(ctx, tx, f, at, sum, msgs, preps, signItem, sign)
		return err
	})
	if err != nil {
		return FileReceipt{}, false, err
	}
	return out, repeat, nil
}

// storeFile runs the inserts of ReceiveFile inside its transaction.
func (s *Store) storeFile(ctx context.Context, tx pgx.Tx, f InboundFile, at time.Time, sum [32]byte,
	msgs []newMessage, preps []prepared, signItem func(Receipt) (string, error), sign FileSigner) (FileReceipt, error) {
	outcomes := make([]FileOutcome, len(msgs))
	ids := make([]int64, len(msgs)) // row id of each item this call inserts
	first := map[string]int{}       // message id -> first item carrying it
	var fresh []int                 // items to insert: the first of each message id
	for i, m := range msgs {
		outcomes[i].MessageID = m.msgID
		if _, dup := first[m.msgID]; dup {
			continue
		}
		first[m.msgID] = i
		fresh = append(fresh, i)
	}
	for start := 0; start < len(fresh); start += fileChunk {
		chunk := fresh[start:min(start+fileChunk, len(fresh))]
		if err := insertMessages(ctx, tx, f.Partner, chunk, msgs, preps, ids); err != nil {
			return FileReceipt{}, err
		}
	}

	// Items not inserted: repeats of the file itself, or of messages stored before.
	var earlier []string
	receipts := make([]Receipt, len(msgs))
	for i, m := range msgs {
		fi := first[m.msgID]
		switch {
		case fi == i && ids[i] != 0:
			receipts[i] = newReceipt(m, preps[i])
			outcomes[i].ReceiptID = receipts[i].ID
		case fi == i:
			earlier = append(earlier, m.msgID)
		}
	}
	type stored struct {
		sum       []byte
		receiptID string
	}
	before := map[string]stored{}
	if len(earlier) > 0 {
		rows, err := tx.Query(ctx, `
			SELECT m.sender_message_id, m.body_sha256, r.receipt_id
			FROM messages m JOIN receipts r ON r.message_id = m.id AND r.kind = 'issued'
			WHERE m.partner = $1 AND m.direction = 'in' AND m.sender_message_id = ANY($2)`, f.Partner, earlier)
		if err != nil {
			return FileReceipt{}, fmt.Errorf("exchange: earlier receipts: %w", err)
		}
		for rows.Next() {
			var id string
			var st stored
			if err := rows.Scan(&id, &st.sum, &st.receiptID); err != nil {
				rows.Close()
				return FileReceipt{}, fmt.Errorf("exchange: earlier receipts: %w", err)
			}
			before[id] = st
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return FileReceipt{}, fmt.Errorf("exchange: earlier receipts: %w", err)
		}
	}
	for i, m := range msgs {
		fi := first[m.msgID]
		if fi == i && ids[i] != 0 {
			continue
		}
		var st stored
		if fi != i {
			// The same message ID twice in one file: the later copy is a
			// repeat of the first if its bytes are the same.
			st = stored{sum: preps[fi].sum[:], receiptID: outcomes[fi].ReceiptID}
			if outcomes[fi].Conflict {
				st.receiptID = ""
				if e, ok := before[m.msgID]; ok {
					st = e
				}
			}
		} else {
			e, ok := before[m.msgID]
			if !ok {
				return FileReceipt{}, fmt.Errorf("exchange: message %s from %s is stored without a receipt: %w", m.msgID, f.Partner, ErrState)
			}
			st = e
		}
		if string(st.sum) != string(preps[i].sum[:]) || st.receiptID == "" {
			outcomes[i].Conflict = true
			continue
		}
		outcomes[i].ReceiptID, outcomes[i].Repeat = st.receiptID, true
	}

	r := FileReceipt{ID: newID("frcpt"), Partner: f.Partner, FileID: f.FileID, BodySHA256: hex.EncodeToString(sum[:]),
		Transactions: len(msgs), ReceivedAt: at}
	doc, jws, err := sign(r, outcomes)
	if err != nil {
		return FileReceipt{}, fmt.Errorf("exchange: sign file receipt: %w", err)
	}
	r.Document, r.JWS = doc, jws

	var inserted []int
	for _, i := range fresh {
		if ids[i] != 0 {
			inserted = append(inserted, i)
		}
	}
	// Each stored item's receipt is signed, and its SSNs sealed with the row
	// id as associated data: CPU work, on every core.
	ssnRows := make([][][3][]byte, len(msgs)) // sealed SSN, its key, the date of birth's key
	dobRows := make([][][]byte, len(msgs))
	if err := parallel(len(inserted), func(k int) error {
		i := inserted[k]
		jws, err := signItem(receipts[i])
		if err != nil {
			return fmt.Errorf("exchange: sign receipt: %w", err)
		}
		receipts[i].JWS = jws
		for _, fl := range preps[i].ssns {
			sealed, err := s.keys.Seal([]byte(fl.ssn.Digits()), ssnAAD(ids[i], fl.path))
			if err != nil {
				return err
			}
			ssnRows[i] = append(ssnRows[i], [3][]byte{sealed, s.keys.HashSSN(fl.ssn), s.keys.hashDOBOrNil(fl.dob)})
		}
		// Dates of birth are sealed like SSNs: the stored canonical form
		// holds none.
		for _, fl := range preps[i].dobs {
			sealed, err := s.keys.Seal([]byte(fl.dob.String()), ssnAAD(ids[i], fl.path))
			if err != nil {
				return err
			}
			dobRows[i] = append(dobRows[i], sealed)
		}
		return nil
	}); err != nil {
		return FileReceipt{}, err
	}
	for start := 0; start < len(inserted); start += fileChunk {
		chunk := inserted[start:min(start+fileChunk, len(inserted))]
		if err := insertFileRows(ctx, tx, chunk, ids, receipts, preps, ssnRows, dobRows, at); err != nil {
			return FileReceipt{}, err
		}
	}
	if _, err := tx.Exec(ctx, `INSERT INTO file_receipts (receipt_id, partner, file_id, body_sha256, transactions, document, jws, received_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`, r.ID, r.Partner, r.FileID, sum[:], r.Transactions, r.Document, r.JWS, at); err != nil {
		return FileReceipt{}, fmt.Errorf("exchange: store file receipt: %w", err)
	}
	if len(inserted) > 0 {
		// One wake-up is enough: processors claim whatever is waiting.
		if _, err := tx.Exec(ctx, notifySQL, ChannelReceived, strconv.FormatInt(ids[inserted[0]], 10)); err != nil {
			return FileReceipt{}, fmt.Errorf("exchange: notify: %w", err)
		}
	}
	return r, nil
}

// insertMessages inserts the items chunk names in one statement and records
// the row id of each one inserted (an item whose message ID exists keeps 0).
func insertMessages(ctx context.Context, tx pgx.Tx, partner string, chunk []int, msgs []newMessage, preps []prepared, ids []int64) error {
	n := len(chunk)
	var (
		mid, format, ctype, fn, act, rsn, sf, rf, scid, rcid, canon, irt, trace, sig = make([]string, n), make([]string, n),
			make([]string, n), make([]string, n), make([]string, n), make([]string, n), make([]string, n), make([]string, n),
			make([]string, n), make([]string, n), make([]string, n), make([]string, n), make([]string, n), make([]string, n)
		raw, sum = make([][]byte, n), make([][]byte, n)
		keys     = make([]string, n)
	)
	for k, i := range chunk {
		m, p, h := msgs[i], preps[i], msgs[i].tx.Header
		mid[k], format[k], ctype[k] = m.msgID, m.format, m.contentType
		fn[k], act[k], rsn[k], sf[k], rf[k] = string(h.Function), string(h.Action), string(h.Reason), string(h.SenderFIPS), string(h.ReceiverFIPS)
		scid[k], rcid[k], canon[k], irt[k], trace[k], sig[k] = h.SenderCaseID, h.ReceiverCaseID, string(p.canonical), m.inReplyTo, m.traceID, m.signature
		raw[k], sum[k], keys[k] = p.sealedRaw, p.sum[:], p.nameKeys
	}
	rows, err := tx.Query(ctx, `
		INSERT INTO messages (direction, partner, sender_message_id, format, content_type,
			function, action, reason, sender_fips, receiver_fips, sender_case_id, receiver_case_id,
			status, raw_sealed, body_sha256, canonical, in_reply_to, trace_id, signature, created_at, updated_at, name_keys)
		SELECT 'in', $1, t.mid, t.format, t.ctype, t.fn, t.act, t.rsn, t.sf, t.rf, t.scid, t.rcid,
			$2, t.raw, t.sum, t.canon::jsonb, t.irt, t.trace, t.sig, $3, $3, string_to_array(t.keys, ' ')
		FROM unnest($4::text[], $5::text[], $6::text[], $7::text[], $8::text[], $9::text[], $10::text[], $11::text[],
			$12::text[], $13::text[], $14::bytea[], $15::bytea[], $16::text[], $17::text[], $18::text[], $19::text[], $20::text[])
			WITH ORDINALITY AS t(mid, format, ctype, fn, act, rsn, sf, rf, scid, rcid, raw, sum, canon, irt, trace, sig, keys, ord)
		ORDER BY t.ord
		ON CONFLICT ON CONSTRAINT messages_sender_key DO NOTHING
		RETURNING id, sender_message_id`,
		partner, string(StatusReceived), msgs[chunk[0]].createdAt,
		mid, format, ctype, fn, act, rsn, sf, rf, scid, rcid, raw, sum, canon, irt, trace, sig, keys)
	if err != nil {
		return fmt.Errorf("exchange: insert file messages: %w", err)
	}
	byID := make(map[string]int, n)
	for _, i := range chunk {
		byID[msgs[i].msgID] = i
	}
	for rows.Next() {
		var id int64
		var m string
		if err := rows.Scan(&id, &m); err != nil {
			rows.Close()
			return fmt.Errorf("exchange: insert file messages: %w", err)
		}
		ids[byID[m]] = id
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return fmt.Errorf("exchange: insert file messages: %w", err)
	}
	return nil
}

// insertFileRows adds the history, SSN, matching-key and receipt rows of
// the inserted items chunk names, one statement per table.
func insertFileRows(ctx context.Context, tx pgx.Tx, chunk []int, ids []int64, receipts []Receipt,
	preps []prepared, ssnRows [][][3][]byte, dobRows [][][]byte, at time.Time) error {
	msgIDs := make([]int64, len(chunk))
	rcptIDs, jws := make([]string, len(chunk)), make([]string, len(chunk))
	sums := make([][]byte, len(chunk))
	// sealed: every SSN and date of birth; key: the matching keys (an alias
	// SSN has none).
	var sealMsg, keyMsg []int64
	var sealPath, keyRole []string
	var keyIndex []int16
	var sealed, keyHash, keyDOB [][]byte
	for k, i := range chunk {
		msgIDs[k], rcptIDs[k], jws[k], sums[k] = ids[i], receipts[i].ID, receipts[i].JWS, preps[i].sum[:]
		for j, fl := range preps[i].ssns {
			sealMsg, sealPath, sealed = append(sealMsg, ids[i]), append(sealPath, fl.path), append(sealed, ssnRows[i][j][0])
			if fl.alias >= 0 {
				continue
			}
			keyMsg, keyRole, keyIndex = append(keyMsg, ids[i]), append(keyRole, fl.role), append(keyIndex, int16(fl.index))
			keyHash, keyDOB = append(keyHash, ssnRows[i][j][1]), append(keyDOB, ssnRows[i][j][2])
		}
		for j, fl := range preps[i].dobs {
			sealMsg, sealPath, sealed = append(sealMsg, ids[i]), append(sealPath, fl.path), append(sealed, dobRows[i][j])
		}
	}
	b := &pgx.Batch{}
	b.Queue(`INSERT INTO message_history (message_id, from_status, to_status, actor, note)
		SELECT id, '', $2, 'intake', '' FROM unnest($1::bigint[]) AS t(id)`, msgIDs, string(StatusReceived))
	b.Queue(`INSERT INTO receipts (receipt_id, message_id, kind, jws, body_sha256, received_at)
		SELECT t.rid, t.mid, 'issued', t.jws, t.sum, $4 FROM unnest($1::text[], $2::bigint[], $3::text[], $5::bytea[]) AS t(rid, mid, jws, sum)`,
		rcptIDs, msgIDs, jws, at, sums)
	if len(sealMsg) > 0 {
		b.Queue(`INSERT INTO message_ssns (message_id, path, sealed)
			SELECT * FROM unnest($1::bigint[], $2::text[], $3::bytea[])`, sealMsg, sealPath, sealed)
	}
	if len(keyMsg) > 0 {
		b.Queue(`INSERT INTO person_keys (message_id, role, participant_index, ssn_hmac, dob_hmac)
			SELECT * FROM unnest($1::bigint[], $2::text[], $3::smallint[], $4::bytea[], $5::bytea[])`, keyMsg, keyRole, keyIndex, keyHash, keyDOB)
	}
	if err := tx.SendBatch(ctx, b).Close(); err != nil {
		return fmt.Errorf("exchange: store file rows: %w", err)
	}
	return nil
}

// storedFileReceipt returns the receipt of a file stored before if its body
// hash equals sum, ErrConflict if it differs, ErrNotFound if there is none.
func (s *Store) storedFileReceipt(ctx context.Context, q Querier, partner, fileID string, sum []byte) (FileReceipt, error) {
	r := FileReceipt{Partner: partner, FileID: fileID}
	var stored []byte
	err := q.QueryRow(ctx, `SELECT receipt_id, body_sha256, transactions, document, jws, received_at
		FROM file_receipts WHERE partner = $1 AND file_id = $2`, partner, fileID).
		Scan(&r.ID, &stored, &r.Transactions, &r.Document, &r.JWS, &r.ReceivedAt)
	if errors.Is(err, pgx.ErrNoRows) {
		return FileReceipt{}, ErrNotFound
	}
	if err != nil {
		return FileReceipt{}, fmt.Errorf("exchange: file receipt: %w", err)
	}
	if string(stored) != string(sum) {
		return FileReceipt{}, fmt.Errorf("%w: file %s from %s (stored body sha256 %x)", ErrConflict, fileID, partner, stored)
	}
	r.BodySHA256 = hex.EncodeToString(stored)
	r.ReceivedAt = r.ReceivedAt.UTC()
	return r, nil
}

// parallel runs fn(0..n-1) on every core and returns the first error.
func parallel(n int, fn func(i int) error) error {
	workers := min(runtime.GOMAXPROCS(0), n)
	errs := make([]error, workers)
	var wg sync.WaitGroup
	for w := range workers {
		wg.Go(func() {
			for i := w; i < n; i += workers {
				if err := fn(i); err != nil {
					errs[w] = err
					return
				}
			}
		})
	}
	wg.Wait()
	return errors.Join(errs...)
}
