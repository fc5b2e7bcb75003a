package review

import (
	"net/http"

	"github.com/uifsagw/uifsagw/gateway/review/staffview"

	"github.com/uifsagw/uifsagw/schemas/canonical"
)

func (h *Handler) casePage(w http.ResponseWriter, r *http.Request, s *session) {
	v, err := staffview.LoadCase(r.Context(), h.store, r.PathValue("caseId"))
	if err != nil {
		h.fail(w, r, s, false, err)
		return
	}
	h.render(w, r, s, http.StatusOK, "case", v)
}

func (h *Handler) apiCase(w http.ResponseWriter, r *http.Request, s *session) {
	v, err := staffview.LoadCase(r.Context(), h.store, r.PathValue("caseId"))
	if err != nil {
		h.fail(w, r, s, true, err)
		return
	}
	open := make([]reviewJSON, len(v.Open))
	for i, it := range v.Open {
		open[i] = toReviewJSON(it.ReviewItem)
	}
	type orderJSON struct {
		TribunalFIPS string  `json:"tribunalFips"`
		Docket       string  `json:"docket"`
		Type         string  `json:"type"`
		IssueDate    string  `json:"issueDate"`
		AmountCents  int64   `json:"amountCents"`
		Frequency    string  `json:"frequency"`
		ArrearsCents int64   `json:"arrearsCents"`
		ArrearsAsOf  string  `json:"arrearsAsOf,omitempty"`
		Controlling  string  `json:"controlling,omitempty"`
		Messages     []int64 `json:"messages"`
	}
	orderList := make([]orderJSON, len(v.Orders))
	for i, o := range v.Orders {
		if o.SeenIn == nil {
			o.SeenIn = []int64{} // known only from the registry or review evidence
		}
		orderList[i] = orderJSON{o.TribunalFIPS, o.Docket, o.Type, o.IssueDate, int64(o.Amount), o.Frequency,
			int64(o.Arrears), o.ArrearsAsOf, o.Controlling, o.SeenIn}
	}
	payments := make([]map[string]any, len(v.Payments))
	for i, p := range v.Payments {
		payments[i] = map[string]any{"messageId": p.MessageID, "date": p.Date, "amountCents": int64(p.Amount),
			"source": p.Source, "docket": p.Docket}
	}
	iwos := make([]map[string]any, len(v.IWOs))
	for i, d := range v.IWOs {
		iwos[i] = map[string]any{"id": d.ID, "employerFein": d.EmployerFEIN, "employerPartner": d.EmployerPartner,
			"docAction": d.DocAction, "controlNumber": d.ControlNumber, "trackingNumber": d.TrackingNumber,
			"status": d.Status, "ackReasons": d.AckReasons, "ackReasonWords": ackWords(d.AckReasons), "ackNote": d.AckNote, "documentMessage": d.DocumentMessage,
			"createdAt": d.CreatedAt.UTC(), "updatedAt": d.UpdatedAt.UTC()}
	}
	partnerIDs := make([]map[string]any, len(v.Partners))
	for i, x := range v.Partners {
		partnerIDs[i] = map[string]any{"partner": x.Partner, "caseId": x.PartnerCaseID, "current": x.Current}
	}
	people := make([]map[string]any, len(v.Participants))
	for i, p := range v.Participants {
		people[i] = map[string]any{"role": p.Role, "name": p.Name, "ssn": p.SSN, "dateOfBirth": p.DOB, "residenceState": p.ResidenceState}
	}
	staffJSON.Write(w, http.StatusOK, map[string]any{"caseId": v.CaseID, "partnerCaseIds": partnerIDs, "participants": people,
		"messages": toJSONs(v.Messages), "orders": orderList, "payments": payments, "paidTotalCents": int64(v.PaidTotal),
		"iwos": iwos, "nextSteps": open})
}

// ackWords are an employer's acknowledgment reasons in words.
func ackWords(codes []string) []string {
	out := make([]string, len(codes))
	for i, c := range codes {
		out[i] = canonical.AckReason(c).Words()
	}
	return out
}
